import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { SettlementError } from './domain/codes.js';
import { validatePolicyPack, type PolicyPack } from './domain/policy-pack.js';

/** services/settlement/policies (this file is services/settlement/dist/src/policies.js). */
export const SETTLEMENT_POLICIES_DIR = fileURLToPath(new URL('../../policies/', import.meta.url));

/** Every `*.json` pack of the folder, validated: one bad pack stops the start with all its problems. */
export function loadSettlementPolicies(dir: string = SETTLEMENT_POLICIES_DIR): PolicyPack[] {
  return readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((f) => {
      const r = validatePolicyPack(JSON.parse(readFileSync(path.join(dir, f), 'utf8')));
      if (!r.ok) throw new SettlementError('IES_ERR_POLICY_PACK_INVALID', `${f}: ${r.problems.map((p) => `${p.path}: ${p.message}`).join('; ')}`, r.problems);
      return r.policy;
    });
}
