/** The policy packs a node has loaded, looked up by the `id@version` a baseline names. */
import { drError } from './codes.js';
import { policyRef, type PolicyPack } from './policy-pack.js';

/** The loaded packs by `id@version`. */
export interface PolicyRegistry {
  get(ref: string): PolicyPack;
  has(ref: string): boolean;
  refs(): readonly string[];
}

export function createPolicyRegistry(packs: readonly PolicyPack[]): PolicyRegistry {
  const byRef = new Map<string, PolicyPack>();
  for (const pack of packs) {
    const ref = policyRef(pack);
    if (byRef.has(ref)) throw drError('IES_ERR_DR_POLICY_PACK_INVALID', `policy pack ${ref} is defined twice`, { ref });
    byRef.set(ref, pack);
  }
  return Object.freeze({
    get(ref: string): PolicyPack {
      const pack = byRef.get(ref);
      if (!pack) throw drError('IES_ERR_DR_POLICY_UNKNOWN', `baseline methodology "${ref}" is not a loaded policy pack (loaded: ${[...byRef.keys()].sort().join(', ')})`, { ref });
      return pack;
    },
    has: (ref: string) => byRef.has(ref),
    refs: () => [...byRef.keys()].sort(),
  });
}
