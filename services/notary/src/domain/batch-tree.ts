import { hash } from 'node:crypto';
import { RFC6962_SHA256, buildTree, inclusionProofFromTree, rootFromLeafHashes, type MerkleTree } from '@ies/merkle';
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
  return rootFromLeafHashes(RFC6962_SHA256, readLeafHashes(reads));
}

/** The batch root of a batch record's reads, which carry no DISCOM (the batch does). */
export function batchRootOf(discomId: string, reads: readonly Omit<PublicRead, 'discomId'>[]): Uint8Array {
  return rootFromLeafHashes(RFC6962_SHA256, reads.map((r) => hash('sha256', `\u0000${canonicalReadJson(r, discomId)}`, 'buffer') as unknown as Uint8Array));
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
