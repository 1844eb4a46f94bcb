import type { Hasher } from './hasher.js';
import {
  consistencyPlan,
  inclusionPlan,
  nodeKey,
  rightEdgeNodes,
  walkConsistencyProof,
  walkInclusionProof,
  type NodeId,
  type ProofPlan,
} from './node-ids.js';
import { rangeRoot, treeNode, type MerkleTree } from './tree.js';

/** Fetches stored node hashes, one per id and in the same order (a storage adapter). */
export type GetNodes = (ids: readonly NodeId[]) => readonly Uint8Array[] | Promise<readonly Uint8Array[]>;

/**
 * RFC 6962 PATH(index, D[0:n]) from the leaf hashes of a whole tree. Each proof hash is the
 * MTH of its own leaf range, so one call hashes about n times: to prove many leaves of one
 * batch, build the tree once (buildTree) and use inclusionProofFromTree.
 */
export function inclusionProof(hasher: Hasher, leafHashes: readonly Uint8Array[], index: number): Uint8Array[] {
  return inclusionPlan(index, leafHashes.length).hashes.map((h) => rangeRoot(hasher, leafHashes, h.begin, h.end));
}

/** RFC 6962 PROOF(size1, D[0:size2]) from the first size2 leaf hashes. */
export function consistencyProof(hasher: Hasher, leafHashes: readonly Uint8Array[], size1: number, size2: number): Uint8Array[] {
  if (size2 > leafHashes.length) throw new RangeError(`size2 ${size2} > the ${leafHashes.length} leaf hashes given`);
  return consistencyPlan(size1, size2).hashes.map((h) => rangeRoot(hasher, leafHashes, h.begin, h.end));
}

/**
 * Inclusion proof for leaf `index` in the tree of the first `size` leaves (default: all) of a
 * built tree. At the tree's own size every proof hash is stored (no hashing); for a smaller
 * size a right-edge hash is folded from its nodes. O(log n) either way.
 */
export function inclusionProofFromTree(hasher: Hasher, tree: MerkleTree, index: number, size: number = tree.size): Uint8Array[] {
  requireWithin(size, tree);
  const proof: Uint8Array[] = [];
  walkInclusionProof(index, size, (level, node, begin, end) => proof.push(storedHash(hasher, tree, level, node, begin, end)));
  return proof;
}

/** Consistency proof from size1 to size2 (default: all) using the nodes of a built tree; O(log n). */
export function consistencyProofFromTree(hasher: Hasher, tree: MerkleTree, size1: number, size2: number = tree.size): Uint8Array[] {
  requireWithin(size2, tree);
  const proof: Uint8Array[] = [];
  walkConsistencyProof(size1, size2, (level, node, begin, end) => proof.push(storedHash(hasher, tree, level, node, begin, end)));
  return proof;
}

/** MTH(D[begin:end]) from a built tree: a stored node, a stored right edge, or (below the tree's size) folded from nodes. */
function storedHash(hasher: Hasher, tree: MerkleTree, level: number, index: number, begin: number, end: number): Uint8Array {
  if (end - begin === 2 ** level) return treeNode(tree, { level, index });
  const edge = end === tree.size ? tree.rightEdges.get(begin) : undefined;
  return edge ?? rangeRootFromNodes(hasher, tree, begin, end);
}

function rangeRootFromNodes(hasher: Hasher, tree: MerkleTree, begin: number, end: number): Uint8Array {
  const nodes = rightEdgeNodes(begin, end);
  let h = treeNode(tree, nodes[nodes.length - 1]!);
  for (let j = nodes.length - 2; j >= 0; j--) h = hasher.hashChildren(treeNode(tree, nodes[j]!), h);
  return h;
}

/** Inclusion proof from a node store: fetches exactly inclusionPlan(index, size).nodeIds, O(log n) hashes. */
export async function inclusionProofFromNodes(hasher: Hasher, index: number, size: number, getNodes: GetNodes): Promise<Uint8Array[]> {
  const plan = inclusionPlan(index, size);
  return assembleProof(hasher, plan, plan.nodeIds.length === 0 ? [] : await getNodes(plan.nodeIds));
}

/** Consistency proof from a node store: fetches exactly consistencyPlan(size1, size2).nodeIds. */
export async function consistencyProofFromNodes(hasher: Hasher, size1: number, size2: number, getNodes: GetNodes): Promise<Uint8Array[]> {
  const plan = consistencyPlan(size1, size2);
  return assembleProof(hasher, plan, plan.nodeIds.length === 0 ? [] : await getNodes(plan.nodeIds));
}

/**
 * The proof hashes of a plan from the hashes of its nodes (aligned with plan.nodeIds):
 * single-node hashes pass through, a right-edge hash folds its nodes right to left.
 */
export function assembleProof(hasher: Hasher, plan: ProofPlan, nodeHashes: readonly Uint8Array[]): Uint8Array[] {
  if (nodeHashes.length !== plan.nodeIds.length) {
    throw new RangeError(`the plan needs ${plan.nodeIds.length} node hashes, got ${nodeHashes.length}`);
  }
  for (let i = 0; i < nodeHashes.length; i++) {
    const h = nodeHashes[i];
    if (h?.length !== hasher.size) throw new RangeError(`node ${nodeKey(plan.nodeIds[i]!)} hash is ${h?.length ?? 'missing'} bytes, expected ${hasher.size}`);
  }
  const proof: Uint8Array[] = new Array<Uint8Array>(plan.hashes.length);
  let next = 0;
  for (let k = 0; k < plan.hashes.length; k++) {
    const count = plan.hashes[k]!.nodes.length;
    next += count;
    let h = nodeHashes[next - 1]!;
    for (let j = next - 2; j >= next - count; j--) h = hasher.hashChildren(nodeHashes[j]!, h);
    proof[k] = h;
  }
  return proof;
}

function requireWithin(size: number, tree: MerkleTree): void {
  if (size > tree.size) throw new RangeError(`size ${size} > the ${tree.size} leaves of the tree`);
}
