import { hash } from 'node:crypto';

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
 * Why crypto.hash and a scratch buffer rather than createHash().update()…: on Node 20 a
 * one-shot crypto.hash over one contiguous buffer is about 2× faster than a Hash object
 * (bench-merkle prints the figures), and asking crypto.hash for 'base64' then decoding is
 * faster than its own 'buffer' output. The scratch buffer is reused across calls, which is
 * safe because hashing is synchronous; it is never returned.
 */
export function createRfc6962Sha256Hasher(): Hasher {
  let scratch = Buffer.allocUnsafe(1 + 2 * SHA256_SIZE);
  const node = Buffer.allocUnsafe(1 + 2 * SHA256_SIZE);
  node[0] = NODE_PREFIX;
  const empty = sha256(new Uint8Array(0));
  return Object.freeze({
    size: SHA256_SIZE,
    emptyRoot: () => Uint8Array.from(empty),
    hashLeaf(data: Uint8Array): Uint8Array {
      if (scratch.length < 1 + data.length) scratch = Buffer.allocUnsafe(Math.max(1 + data.length, 2 * scratch.length));
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

function sha256(bytes: Uint8Array): Uint8Array {
  // One-shot crypto.hash straight to bytes (no Hash object, no string round trip).
  return hash('sha256', bytes, 'buffer') as unknown as Uint8Array;
}

/** The one shared RFC 6962 SHA-256 hasher (stateless to its callers). */
export const RFC6962_SHA256: Hasher = createRfc6962Sha256Hasher();
