import { sha256 } from '#sha256';

/**
 * The hash functions of a Merkle log, injected into every tree, proof and verification
 * function so the tree logic never names an algorithm.
 */
export interface Hasher {
  /** Bytes in every hash this hasher returns. */
  readonly size: number;
  /** MTH({}) — the root of the tree with no leaves. */
  emptyRoot(): Uint8Array;
  /** The hash of one leaf entry. */
  hashLeaf(data: Uint8Array): Uint8Array;
  /** The hash of an interior node from its two children, left then right. */
  hashChildren(left: Uint8Array, right: Uint8Array): Uint8Array;
}

const LEAF_PREFIX = 0x00;
const NODE_PREFIX = 0x01;
const SHA256_SIZE = 32;

/**
 * RFC 6962 §2.1 with SHA-256: leaf = SHA-256(0x00 ‖ data), node = SHA-256(0x01 ‖ left ‖ right),
 * empty tree = SHA-256("").
 *
 * sha256 is Node's one-shot crypto.hash, or @noble/hashes in a browser build (`#sha256` in
 * package.json "imports"): the tree logic is the same in both. The scratch buffer is
 * reused across calls, which is safe because hashing is synchronous; it is never returned.
 */
export function createRfc6962Sha256Hasher(): Hasher {
  let scratch = new Uint8Array(1 + 2 * SHA256_SIZE);
  const node = new Uint8Array(1 + 2 * SHA256_SIZE);
  node[0] = NODE_PREFIX;
  const empty = sha256(new Uint8Array(0));
  return Object.freeze({
    size: SHA256_SIZE,
    emptyRoot: () => Uint8Array.from(empty),
    hashLeaf(data: Uint8Array): Uint8Array {
      if (scratch.length < 1 + data.length) scratch = new Uint8Array(Math.max(1 + data.length, 2 * scratch.length));
      scratch[0] = LEAF_PREFIX;
      scratch.set(data, 1);
      return sha256(scratch.subarray(0, 1 + data.length));
    },
    hashChildren(left: Uint8Array, right: Uint8Array): Uint8Array {
      if (left.length !== SHA256_SIZE || right.length !== SHA256_SIZE) {
        throw new RangeError(`RFC 6962 SHA-256 children must be ${SHA256_SIZE} bytes each, got ${left.length} and ${right.length}`);
      }
      node.set(left, 1);
      node.set(right, 1 + SHA256_SIZE);
      return sha256(node);
    },
  });
}

/** The one shared RFC 6962 SHA-256 hasher (stateless to its callers). */
export const RFC6962_SHA256: Hasher = createRfc6962Sha256Hasher();
