// Loads the baseline policy packs shipped in services/dr/policies/ (one file per method and
// version, named <id>.v<version>.json). Validation is the pure parsePolicyPack; this file
// only reads files, so it lives outside domain/. Fails fast, listing every bad file.
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { drError } from './domain/codes.js';
import { parsePolicyPack, type PolicyPack } from './domain/policy-pack.js';
import { createPolicyRegistry, type PolicyRegistry } from './domain/policy-registry.js';

/** services/dr/policies/, from dist/src/policies.js. */
export const POLICIES_DIR = fileURLToPath(new URL('../../policies/', import.meta.url));

export function loadPolicyPacks(dir: string = POLICIES_DIR): PolicyPack[] {
  const packs: PolicyPack[] = [];
  const failures: { file: string; error: string; problems?: unknown }[] = [];
  for (const file of readdirSync(dir).filter((f) => f.endsWith('.json')).sort()) {
    try {
      const pack = parsePolicyPack(JSON.parse(readFileSync(`${dir}/${file}`, 'utf8')));
      const expected = `${pack.id}.v${pack.version}.json`;
      if (file !== expected) throw new Error(`file name must be ${expected}`);
      packs.push(pack);
    } catch (err) {
      const details = (err as { details?: { problems?: unknown } }).details;
      failures.push({ file, error: (err as Error).message, ...(details?.problems === undefined ? {} : { problems: details.problems }) });
    }
  }
  if (failures.length > 0) throw drError('IES_ERR_DR_POLICY_PACK_INVALID', `invalid policy packs in ${dir}: ${failures.map((f) => `${f.file}: ${f.error}`).join('; ')}`, { failures });
  return packs;
}

export function loadPolicyRegistry(dir: string = POLICIES_DIR): PolicyRegistry {
  return createPolicyRegistry(loadPolicyPacks(dir));
}
