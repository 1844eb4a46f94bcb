import type { Hasher } from './hasher.js';
import type { NodeId } from './node-ids.js';

/** An in-memory tree: every perfect node by level (levels[0] = leaf hashes) and the root. */
export interface MerkleTree {
  readonly size: number;
  readonly root: Uint8Array;
  /** levels[level][index] = node (level, index); level L holds floor(size / 2^L) nodes. */
  readonly levels: readonly (readonly Uint8Array[])[];
  /**
   * begin → MTH(D[begin:size]) for every right-edge subtree that is not perfect (at most one
   * per level). Computing the root produces them anyway; keeping them lets proofs against
   * this size use stored hashes only.
   */
  readonly rightEdges: ReadonlyMap<number, Uint8Array>;
}

/**
 * MTH(D[0:n]) from the leaf hashes, in n − 1 hashes and O(log n) memory.
 *
 * Keeps the compact range of the leaves seen so far (the perfect subtrees that make up the
 * count in binary, largest first): adding a leaf merges equal-sized neighbours like a binary
 * increment, and the root folds the range right to left — the same shape as MTH's split at
 * the largest power of two.
 */
export function rootFromLeafHashes(hasher: Hasher, leafHashes: readonly Uint8Array[]): Uint8Array {
  return rangeRoot(hasher, leafHashes, 0, leafHashes.length);
}

/** MTH(D[begin:end]) for leaf hashes[begin:end) without copying the array. */
export function rangeRoot(hasher: Hasher, leafHashes: readonly Uint8Array[], begin: number, end: number): Uint8Array {
  if (!(Number.isSafeInteger(begin) && Number.isSafeInteger(end) && 0 <= begin && begin <= end && end <= leafHashes.length)) {
    throw new RangeError(`leaf range [${begin}, ${end}) is not within the ${leafHashes.length} leaf hashes`);
  }
  if (begin === end) return hasher.emptyRoot();
  const stack: Uint8Array[] = [];
  for (let i = begin; i < end; i++) {
    let h = leafHashes[i]!;
    for (let count = i - begin + 1; count % 2 === 0; count /= 2) h = hasher.hashChildren(stack.pop()!, h);
    stack.push(h);
  }
  let root = stack.pop()!;
  while (stack.length > 0) root = hasher.hashChildren(stack.pop()!, root);
  return root;
}

/** Every perfect node of the tree over `leafHashes` plus its root: about n hashes, for serving many proofs. */
export function buildTree(hasher: Hasher, leafHashes: readonly Uint8Array[]): MerkleTree {
  const size = leafHashes.length;
  const levels: Uint8Array[][] = [leafHashes.slice()];
  for (let below = levels[0]!; below.length >= 2; ) {
    const level: Uint8Array[] = new Array<Uint8Array>(Math.floor(below.length / 2));
    for (let i = 0; i < level.length; i++) level[i] = hasher.hashChildren(below[2 * i]!, below[2 * i + 1]!);
    levels.push(level);
    below = level;
  }
  const rightEdges = new Map<number, Uint8Array>();
  const root = foldPerfectPrefix(hasher, levels, size, rightEdges);
  return { size, levels, root, rightEdges };
}

/** The stored hash of a perfect node of a built tree. */
export function treeNode(tree: MerkleTree, id: NodeId): Uint8Array {
  const h = tree.levels[id.level]?.[id.index];
  if (h === undefined) throw new RangeError(`node ${id.level}:${id.index} is not a complete subtree of a tree of ${tree.size} leaves`);
  return h;
}

/** Root of the first `size` leaves of a built tree (any size ≤ tree.size), from its stored nodes. */
export function treeRootAt(hasher: Hasher, tree: MerkleTree, size: number): Uint8Array {
  if (!Number.isSafeInteger(size) || size < 0 || size > tree.size) throw new RangeError(`size ${size} is not within a tree of ${tree.size} leaves`);
  return foldPerfectPrefix(hasher, tree.levels, size);
}

/**
 * MTH of the first `size` leaves: the perfect nodes of `size` in binary, folded right to left.
 * Each fold step after the first is a right-edge subtree [rest, size); `edges` collects them.
 */
function foldPerfectPrefix(hasher: Hasher, levels: readonly (readonly Uint8Array[])[], size: number, edges?: Map<number, Uint8Array>): Uint8Array {
  if (size === 0) return hasher.emptyRoot();
  let root: Uint8Array | undefined;
  let rest = size;
  for (let level = 0, width = 1; rest > 0; level++, width *= 2) {
    if ((rest / width) % 2 === 1) {
      rest -= width;
      const node = levels[level]![rest / width]!;
      if (root === undefined) root = node;
      else {
        root = hasher.hashChildren(node, root);
        edges?.set(rest, root);
      }
    }
  }
  return root!;
}
