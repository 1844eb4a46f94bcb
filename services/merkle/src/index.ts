export { RFC6962_SHA256, createRfc6962Sha256Hasher, type Hasher } from './domain/hasher.js';
export {
  consistencyPlan,
  consistencyProofLength,
  inclusionPlan,
  inclusionProofLength,
  nodeKey,
  nodeRange,
  rightEdgeNodes,
  type NodeId,
  type ProofHash,
  type ProofPlan,
} from './domain/node-ids.js';
export { buildTree, rangeRoot, rootFromLeafHashes, treeNode, treeRootAt, type MerkleTree } from './domain/tree.js';
export {
  assembleProof,
  consistencyProof,
  consistencyProofFromNodes,
  consistencyProofFromTree,
  inclusionProof,
  inclusionProofFromNodes,
  inclusionProofFromTree,
  type GetNodes,
} from './domain/proof.js';
export {
  MerkleVerificationError,
  assertVerified,
  rootFromInclusionProof,
  verifyConsistency,
  verifyInclusion,
  type RootResult,
  type VerifyFailure,
  type VerifyFailureCode,
  type VerifyResult,
} from './domain/verify.js';
export {
  HASH_SIZE,
  TILE_HEIGHT,
  TILE_WIDTH,
  foldTileSlice,
  formatTileIndex,
  hashesAtTileLevel,
  tileNodeReader,
  tilePath,
  tileSliceOf,
  type TileResource,
  type TileSlice,
} from './domain/tiles.js';
