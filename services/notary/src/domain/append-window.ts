import { RFC6962_SHA256, assembleProof, consistencyPlan, inclusionPlan, nodeKey, rightEdgeNodes, type NodeId, type ProofPlan } from '@ies/merkle';

/**
 * The log's state between appends: its size and the perfect nodes that make the size up in
 * binary (largest first), the "compact range" of transparency-dev/merkle. O(log n) hashes
 * are all the writer needs to extend the log, compute the new root, and prove every new
 * leaf and the consistency with the previous checkpoint.
 */
export interface CompactRange {
  readonly size: number;
  readonly hashes: readonly Uint8Array[];
}

export const EMPTY_RANGE: CompactRange = { size: 0, hashes: [] };

/** The node ids of a compact range of `size` leaves, aligned with CompactRange.hashes. */
export function compactRangeIds(size: number): NodeId[] {
  return size === 0 ? [] : rightEdgeNodes(0, size);
}

/** MTH of the range: its nodes folded right to left. */
export function compactRangeRoot(range: CompactRange): Uint8Array {
  const h = RFC6962_SHA256;
  if (range.hashes.length === 0) return h.emptyRoot();
  let root = range.hashes[range.hashes.length - 1]!;
  for (let j = range.hashes.length - 2; j >= 0; j--) root = h.hashChildren(range.hashes[j]!, root);
  return root;
}

/**
 * A batch of new leaves on top of a compact range: every perfect node of the extended tree
 * that a proof for a new leaf (or the consistency proof from the old size) needs is either a
 * node of the old compact range or is computed from it and the new leaves, memoised.
 */
export class AppendWindow {
  readonly base: CompactRange;
  readonly size: number;
  private readonly baseNodes = new Map<string, Uint8Array>();
  private readonly memo = new Map<string, Uint8Array>();

  constructor(base: CompactRange, private readonly leaves: readonly Uint8Array[]) {
    this.base = base;
    this.size = base.size + leaves.length;
    const ids = compactRangeIds(base.size);
    if (ids.length !== base.hashes.length) throw new RangeError(`a compact range of ${base.size} leaves has ${ids.length} nodes, got ${base.hashes.length}`);
    ids.forEach((id, i) => this.baseNodes.set(nodeKey(id), base.hashes[i]!));
  }

  /** The perfect node (level, index) of the extended tree. */
  node(id: NodeId): Uint8Array {
    const width = 2 ** id.level;
    const begin = id.index * width;
    const end = begin + width;
    if (end > this.size) throw new RangeError(`node ${nodeKey(id)} is not complete in a tree of ${this.size} leaves`);
    const key = nodeKey(id);
    if (end <= this.base.size) {
      const held = this.baseNodes.get(key);
      if (!held) throw new RangeError(`node ${key} lies inside the old tree but is not in its compact range`);
      return held;
    }
    const known = this.memo.get(key);
    if (known) return known;
    const h =
      id.level === 0
        ? this.leaves[begin - this.base.size]!
        : RFC6962_SHA256.hashChildren(this.node({ level: id.level - 1, index: id.index * 2 }), this.node({ level: id.level - 1, index: id.index * 2 + 1 }));
    this.memo.set(key, h);
    return h;
  }

  compactRange(): CompactRange {
    return { size: this.size, hashes: compactRangeIds(this.size).map((id) => this.node(id)) };
  }

  root(): Uint8Array {
    return compactRangeRoot(this.compactRange());
  }

  /** Inclusion proof of new leaf `index` (≥ the old size) in the extended tree. */
  inclusionProof(index: number): Uint8Array[] {
    if (index < this.base.size || index >= this.size) throw new RangeError(`leaf ${index} is not one of the new leaves [${this.base.size}, ${this.size})`);
    return this.prove(inclusionPlan(index, this.size));
  }

  /** Consistency proof from the old size to the extended tree. */
  consistencyProof(): Uint8Array[] {
    return this.prove(consistencyPlan(this.base.size, this.size));
  }

  private prove(plan: ProofPlan): Uint8Array[] {
    return assembleProof(RFC6962_SHA256, plan, plan.nodeIds.map((id) => this.node(id)));
  }
}
