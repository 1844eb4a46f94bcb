import { RFC6962_SHA256, buildTree, inclusionProofFromTree, rootFromLeafHashes, type MerkleTree } from '@ies/merkle';
import { canonicalReadBytes, type PublicRead } from './canonical-read.js';

export function readLeafHashes(reads: readonly PublicRead[]): Uint8Array[] {
  return reads.map((r) => RFC6962_SHA256.hashLeaf(canonicalReadBytes(r)));
}

/** The batch root: the RFC 6962 root over a leaf per accepted read, in the batch's order. */
export function batchRoot(reads: readonly PublicRead[]): Uint8Array {
  return rootFromLeafHashes(RFC6962_SHA256, readLeafHashes(reads));
}

/** The whole batch tree, for serving the paths of its reads. */
export function batchTree(reads: readonly PublicRead[]): MerkleTree {
  return buildTree(RFC6962_SHA256, readLeafHashes(reads));
}

/** A read's path in its batch tree. */
export function readPath(tree: MerkleTree, index: number): Uint8Array[] {
  return inclusionProofFromTree(RFC6962_SHA256, tree, index);
}
