import { hash } from 'node:crypto';
import { RFC6962_SHA256, buildTree, inclusionProofFromTree, type MerkleTree } from '@ies/merkle';
import { canonicalReadJson, type PublicRead } from '@ies/verify';

/**
 * SHA-256(0x00 ‖ canonical read bytes), hashed straight from the string: U+0000 encodes as
 * the single byte 0x00 in UTF-8, so '\u0000' + JSON is exactly the RFC 6962 leaf input.
 */
export function readLeafHash(read: PublicRead): Uint8Array {
  return hash('sha256', `\u0000${canonicalReadJson(read)}`, 'buffer') as unknown as Uint8Array;
}

export function readLeafHashes(reads: readonly PublicRead[]): Uint8Array[] {
  return reads.map((r) => readLeafHash(r));
}

/** The batch root: the RFC 6962 root over a leaf per accepted read, in the batch's order. */
export function batchRoot(reads: readonly PublicRead[]): Uint8Array {
  return rootOfLeafInputs(reads.length, (i) => `\u0000${canonicalReadJson(reads[i] as PublicRead)}`);
}

/** The batch root of a batch record's reads, which carry no DISCOM (the batch does). */
export function batchRootOf(discomId: string, reads: readonly Omit<PublicRead, 'discomId'>[]): Uint8Array {
  return rootOfLeafInputs(reads.length, (i) => `\u0000${canonicalReadJson(reads[i] as Omit<PublicRead, 'discomId'>, discomId)}`);
}

/**
 * MTH over `count` leaves (RFC 6962: leaf = SHA-256(leaf input), node = SHA-256(0x01 ‖ l ‖ r)),
 * the compact-range fold of @ies/merkle's rootFromLeafHashes. Only the root is kept, so the
 * hashes between calls travel as 32-character latin1 strings rather than Buffers: a Buffer
 * per hash costs an ArrayBuffer and its garbage collection, about as much as the hash call
 * itself (bench:batch-hash, docs/notary-formats.md). The gateway runs this once per batch.
 */
function rootOfLeafInputs(count: number, leafInput: (i: number) => string): Uint8Array {
  if (count === 0) return RFC6962_SHA256.emptyRoot();
  const scratch = Buffer.allocUnsafe(65);
  scratch[0] = 0x01;
  const node = (left: string, right: string): string => {
    scratch.write(left, 1, 32, 'latin1');
    scratch.write(right, 33, 32, 'latin1');
    return hash('sha256', scratch, 'binary');
  };
  const stack: string[] = [];
  for (let i = 0; i < count; i += 1) {
    let h = hash('sha256', leafInput(i), 'binary'); // 'binary' is latin1
    for (let merged = i + 1; merged % 2 === 0; merged /= 2) h = node(stack.pop() as string, h);
    stack.push(h);
  }
  let root = stack.pop() as string;
  while (stack.length > 0) root = node(stack.pop() as string, root);
  return new Uint8Array(Buffer.from(root, 'latin1'));
}

/** The whole batch tree, for serving the paths of its reads. */
export function batchTree(reads: readonly PublicRead[]): MerkleTree {
  return buildTree(RFC6962_SHA256, readLeafHashes(reads));
}

/** A read's path in its batch tree. */
export function readPath(tree: MerkleTree, index: number): Uint8Array[] {
  return inclusionProofFromTree(RFC6962_SHA256, tree, index);
}

/** A carried batch root is well formed: standard base64 (with padding) of 32 bytes. */
export function isBatchRootText(text: string): boolean {
  return /^[A-Za-z0-9+/]{42}[AEIMQUYcgkosw048]=$/.test(text);
}
