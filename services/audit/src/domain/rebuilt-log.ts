import { RFC6962_SHA256, buildTree, treeRootAt, type MerkleTree } from '@ies/merkle';
import { logEntryBytes } from '@ies/verify';
import type { InvariantFailure } from '../report.js';
import type { ReceiptRecord } from './records.js';

const b64 = (bytes: Uint8Array) => Buffer.from(bytes).toString('base64');

/**
 * The tenant's log as receipts.v1 alone says it is: the leaf of each receipt whose log
 * index is the next one, in topic order. A receipt out of sequence (a forged or replayed
 * copy) is not a leaf; it is a failure.
 */
export class RebuiltLog {
  readonly leaves: Uint8Array[] = [];
  /** batchId → the log indexes that carry it (more than one is a batch appended twice). */
  readonly indexesOf = new Map<string, number[]>();
  readonly failures: InvariantFailure[] = [];
  private readonly roots = new Map<number, string>();
  private built: MerkleTree | undefined;

  constructor(readonly discomId: string, readonly origin: string, receipts: readonly ReceiptRecord[]) {
    for (const r of receipts) {
      const name = `receipt of batch ${r.batchId} at ${r.position}`;
      if (r.discomId !== discomId) {
        this.failures.push({ record: name, problem: `is for ${r.discomId}, not ${discomId}` });
        continue;
      }
      if (r.logIndex !== this.leaves.length) {
        this.failures.push({ record: name, problem: `log index ${r.logIndex} where the log rebuilt from receipts.v1 has ${this.leaves.length} entries (a receipt appended twice or out of order)` });
        continue;
      }
      this.indexesOf.set(r.batchId, [...(this.indexesOf.get(r.batchId) ?? []), r.logIndex]);
      this.leaves.push(RFC6962_SHA256.hashLeaf(logEntryBytes(r)));
    }
    for (const [batchId, indexes] of this.indexesOf) if (indexes.length > 1) this.failures.push({ record: `batch ${batchId}`, problem: `has ${indexes.length} log entries (log indexes ${indexes.join(', ')})` });
  }

  get size(): number {
    return this.leaves.length;
  }

  /**
   * Every perfect node of the rebuilt log, built once (about n hashes): a campaign signs a
   * checkpoint a second, so roots and proofs at hundreds of sizes come from stored nodes in
   * O(log n) each instead of rehashing the leaves per checkpoint.
   */
  get tree(): MerkleTree {
    this.built ??= buildTree(RFC6962_SHA256, this.leaves);
    return this.built;
  }

  /** Base64 root of the first `size` entries; undefined beyond the rebuilt log. */
  rootAt(size: number): string | undefined {
    if (!Number.isSafeInteger(size) || size < 0 || size > this.leaves.length) return undefined;
    let root = this.roots.get(size);
    if (root === undefined) {
      root = b64(treeRootAt(RFC6962_SHA256, this.tree, size));
      this.roots.set(size, root);
    }
    return root;
  }

  /** A checkpoint reference (a statement's evidence) names a tree this log really had. */
  holds(ref: { origin: string; size: number; rootHash: string }): boolean {
    return ref.origin === this.origin && this.rootAt(ref.size) === ref.rootHash;
  }
}
