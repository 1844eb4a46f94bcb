// A deliberately naive implementation of RFC 6962 §2.1, written as the RFC states it:
// recursive, over the leaf DATA, recomputing every subtree it needs, with slices of arrays.
// It is slow (PATH and PROOF hash the whole tree each call) and exists only to cross-check
// the fast code in tree.ts, node-ids.ts and proof.ts, and to generate
// testdata/reference-vectors.json. Not exported from the package: never use it on the hot path.
import type { Hasher } from './hasher.js';

/** The largest power of two smaller than n (n > 1): RFC 6962's k. */
function splitPoint(n: number): number {
  let k = 1;
  while (k * 2 < n) k *= 2;
  return k;
}

/** MTH(D[n]). */
export function referenceRoot(hasher: Hasher, entries: readonly Uint8Array[]): Uint8Array {
  const n = entries.length;
  if (n === 0) return hasher.emptyRoot();
  if (n === 1) return hasher.hashLeaf(entries[0]!);
  const k = splitPoint(n);
  return hasher.hashChildren(referenceRoot(hasher, entries.slice(0, k)), referenceRoot(hasher, entries.slice(k)));
}

/** PATH(m, D[n]): the audit path of leaf m, deepest sibling first. */
export function referencePath(hasher: Hasher, m: number, entries: readonly Uint8Array[]): Uint8Array[] {
  const n = entries.length;
  if (!(Number.isInteger(m) && m >= 0 && m < n)) throw new RangeError(`PATH(${m}, D[${n}]) is undefined`);
  if (n === 1) return [];
  const k = splitPoint(n);
  if (m < k) return [...referencePath(hasher, m, entries.slice(0, k)), referenceRoot(hasher, entries.slice(k))];
  return [...referencePath(hasher, m - k, entries.slice(k)), referenceRoot(hasher, entries.slice(0, k))];
}

/** PROOF(m, D[n]) = SUBPROOF(m, D[n], true), for 0 < m ≤ n (m = n gives the empty proof). */
export function referenceProof(hasher: Hasher, m: number, entries: readonly Uint8Array[]): Uint8Array[] {
  const n = entries.length;
  if (!(Number.isInteger(m) && m > 0 && m <= n)) throw new RangeError(`PROOF(${m}, D[${n}]) is undefined`);
  return subproof(hasher, m, entries, true);
}

function subproof(hasher: Hasher, m: number, entries: readonly Uint8Array[], whole: boolean): Uint8Array[] {
  const n = entries.length;
  if (m === n) return whole ? [] : [referenceRoot(hasher, entries)];
  const k = splitPoint(n);
  if (m <= k) return [...subproof(hasher, m, entries.slice(0, k), whole), referenceRoot(hasher, entries.slice(k))];
  return [...subproof(hasher, m - k, entries.slice(k), false), referenceRoot(hasher, entries.slice(0, k))];
}
