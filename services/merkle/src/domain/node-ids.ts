// Which stored nodes a proof needs, as pure integer arithmetic (no hashing, no storage).
//
// The node-id scheme: node (level, index) is the complete (perfect) subtree over leaves
// [index·2^level, (index+1)·2^level). Level 0 holds the leaf hashes. Once a log has that many
// leaves a node never changes, so a store keeps exactly these nodes, keyed by (level, index).
//
// An RFC 6962 tree of size n is this grid cut off at n: the split point k of MTH(D[0:n]) (the
// largest power of two < n) is always aligned, so every RFC subtree is either a perfect node
// or lies on the right edge ([begin, n)) and is the right-to-left fold of the perfect nodes
// that make up n − begin in binary, largest first. A proof hash is therefore one node, except
// at most one right-edge hash per proof that folds several.
//
// Integers are JavaScript numbers: sizes and indices up to 2^53 − 1. Bitwise operators would
// truncate to 32 bits, so halving is Math.floor(x / 2) throughout.

export interface NodeId {
  readonly level: number;
  readonly index: number;
}

/** One hash of a proof: MTH of leaves [begin, end), folded from `nodes` (left to right). */
export interface ProofHash {
  readonly begin: number;
  readonly end: number;
  readonly nodes: readonly NodeId[];
}

/** The hashes a proof consists of, in proof order, and the stored nodes they come from. */
export interface ProofPlan {
  readonly hashes: readonly ProofHash[];
  /** Every node to fetch, in proof order. The hashes cover disjoint leaf ranges, so no id repeats. */
  readonly nodeIds: readonly NodeId[];
}

/**
 * Receives each proof hash in proof order as the subtree at (level, index) of the grid, cut
 * off at the tree's size: leaves [begin, end). It is the perfect node (level, index) when
 * end − begin = 2^level, else a right-edge subtree (end = size).
 */
export type ProofHashVisitor = (level: number, index: number, begin: number, end: number) => void;

/** Leaves [begin, end) covered by a node. */
export function nodeRange(id: NodeId): { begin: number; end: number } {
  const width = 2 ** id.level;
  return { begin: id.index * width, end: (id.index + 1) * width };
}

/** Stable string key for maps and storage, e.g. "3:17". */
export function nodeKey(id: NodeId): string {
  return `${id.level}:${id.index}`;
}

/** The nodes an inclusion proof for leaf `index` in a tree of `size` leaves needs (RFC 6962 PATH). */
export function inclusionPlan(index: number, size: number): ProofPlan {
  const plan = planBuilder();
  walkInclusionProof(index, size, plan.visit);
  return plan.done();
}

/** The nodes a consistency proof from size1 to size2 needs (RFC 6962 PROOF). Empty when size1 is 0 or equals size2. */
export function consistencyPlan(size1: number, size2: number): ProofPlan {
  const plan = planBuilder();
  walkConsistencyProof(size1, size2, plan.visit);
  return plan.done();
}

/** Number of hashes in an inclusion proof, counted without building the plan (verifiers call this). */
export function inclusionProofLength(index: number, size: number): number {
  let count = 0;
  walkInclusionProof(index, size, () => count++);
  return count;
}

/** Number of hashes in a consistency proof, counted without building the plan. */
export function consistencyProofLength(size1: number, size2: number): number {
  let count = 0;
  walkConsistencyProof(size1, size2, () => count++);
  return count;
}

/** Visits the hashes of the inclusion proof for leaf `index` in a tree of `size` leaves. */
export function walkInclusionProof(index: number, size: number, visit: ProofHashVisitor): void {
  requireCount('size', size);
  requireCount('index', index);
  if (index >= size) throw new RangeError(`index ${index} ≥ size ${size}`);
  siblingsUpward(0, index, size, visit);
}

/** Visits the hashes of the consistency proof from size1 to size2. */
export function walkConsistencyProof(size1: number, size2: number, visit: ProofHashVisitor): void {
  requireCount('size1', size1);
  requireCount('size2', size2);
  if (size1 > size2) throw new RangeError(`size1 ${size1} > size2 ${size2}`);
  if (size1 === 0 || size1 === size2) return;
  // Start from the largest node that ends exactly at size1: level = trailing zero bits of size1.
  let level = 0;
  let width = 1;
  while ((size1 / width) % 2 === 0) {
    level += 1;
    width *= 2;
  }
  const index = size1 / width - 1;
  // When that node is [0, size1), it is the old root the verifier already holds: RFC 6962 leaves it out.
  if (index !== 0) visit(level, index, size1 - width, size1);
  siblingsUpward(level, index, size2, visit);
}

/**
 * Walks from node (level, index) to the root of a tree of `size` leaves, visiting the sibling
 * subtree at every level where one exists: a left sibling is always perfect; a right sibling
 * may be cut off by the tree's edge; a node with no right sibling is carried up unhashed.
 */
function siblingsUpward(level: number, index: number, size: number, visit: ProofHashVisitor): void {
  let width = 2 ** level;
  let last = Math.floor((size - 1) / width); // index of the rightmost node at this level
  while (last > 0) {
    if (index % 2 === 1) {
      visit(level, index - 1, (index - 1) * width, index * width);
    } else if (index < last) {
      const begin = (index + 1) * width;
      visit(level, index + 1, begin, Math.min(begin + width, size));
    }
    index = Math.floor(index / 2);
    last = Math.floor(last / 2);
    level += 1;
    width *= 2;
  }
}

function planBuilder(): { visit: ProofHashVisitor; done: () => ProofPlan } {
  const hashes: ProofHash[] = [];
  const nodeIds: NodeId[] = [];
  return {
    visit(level, index, begin, end) {
      const nodes = end - begin === 2 ** level ? [{ level, index }] : rightEdgeNodes(begin, end);
      hashes.push({ begin, end, nodes });
      for (const id of nodes) nodeIds.push(id);
    },
    done: () => ({ hashes, nodeIds }),
  };
}

/** The perfect nodes of the right-edge subtree [begin, end): its length in binary, largest first. */
export function rightEdgeNodes(begin: number, end: number): NodeId[] {
  const nodes: NodeId[] = [];
  let width = 1;
  let level = 0;
  while (width * 2 <= end - begin) {
    width *= 2;
    level += 1;
  }
  for (let at = begin; at < end; width /= 2, level -= 1) {
    if (at + width <= end) {
      nodes.push({ level, index: at / width });
      at += width;
    }
  }
  return nodes;
}

function requireCount(name: string, value: number): void {
  if (!Number.isSafeInteger(value) || value < 0) throw new RangeError(`${name} must be an integer in 0..2^53-1, got ${value}`);
}
