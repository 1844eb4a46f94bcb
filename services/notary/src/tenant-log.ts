import { RFC6962_SHA256, verifyConsistency } from '@ies/merkle';
import { AppendWindow, compactRangeIds, compactRangeRoot, EMPTY_RANGE, type CompactRange } from './domain/append-window.js';
import { batchRootOf } from './domain/batch-tree.js';
import type { PublicRead } from '@ies/verify';
import { formatCheckpoint } from '@ies/verify';
import { logEntryBytes, type LogEntry } from '@ies/verify';
import { mlDsaCheckpointLine, signNote } from '@ies/verify';
import { signReceiptSync, type ReceiptBody } from '@ies/verify';
import { newStoredNodes } from './domain/tiles.js';
import type { NotaryKeys } from './keys.js';
import type { CommittedAppend, LogStore } from './log-store.js';

export interface IncomingBatch {
  readonly batchId: string;
  readonly discomId: string;
  readonly headEndId: string;
  readonly receivedAt: number;
  readonly reads: readonly Omit<PublicRead, 'discomId'>[];
}

export interface PreparedAppend {
  readonly receipts: readonly ReceiptBody[];
  readonly jws: readonly string[];
  readonly checkpoint: string;
  readonly window: AppendWindow;
  /** Each receipt's log entry bytes (logEntryBytes), computed once for its leaf hash and kept for the projection. */
  readonly entryBytes: readonly Uint8Array[];
}

export class LogForkError extends Error {
  override readonly name = 'LogForkError';
}

const b64 = (bytes: Uint8Array): string => Buffer.from(bytes).toString('base64');

/**
 * One tenant's log as its single writer sees it: the compact range of the committed size
 * and the last signed checkpoint. `prepare` computes the next checkpoint and receipts
 * without changing anything; `committed` moves the state forward only after the Kafka
 * transaction holding the receipts committed.
 */
export class TenantLog {
  private range: CompactRange = EMPTY_RANGE;
  private root: Uint8Array = RFC6962_SHA256.emptyRoot();
  private lastCheckpoint: string | undefined;

  constructor(
    readonly discomId: string,
    readonly origin: string,
  ) {}

  get size(): number {
    return this.range.size;
  }

  get checkpoint(): string | undefined {
    return this.lastCheckpoint;
  }

  /** Restores a recovered state; the caller has checked `range` against `checkpoint`. */
  restore(range: CompactRange, checkpoint: string | undefined): void {
    this.range = range;
    this.root = compactRangeRoot(range);
    this.lastCheckpoint = checkpoint;
  }

  static entryOf(batch: IncomingBatch): LogEntry {
    return {
      batchId: batch.batchId,
      discomId: batch.discomId,
      headEndId: batch.headEndId,
      readCount: batch.reads.length,
      batchRoot: b64(batchRootOf(batch.discomId, batch.reads)),
      acceptedAt: new Date(batch.receivedAt).toISOString(),
    };
  }

  /** The entry of a batch whose root and count were computed where its reads were parsed (the gateway). */
  static entryOfCarried(batch: Omit<IncomingBatch, 'reads'> & { batchRoot: string; readCount: number }): LogEntry {
    return {
      batchId: batch.batchId,
      discomId: batch.discomId,
      headEndId: batch.headEndId,
      readCount: batch.readCount,
      batchRoot: batch.batchRoot,
      acceptedAt: new Date(batch.receivedAt).toISOString(),
    };
  }

  async prepare(entries: readonly LogEntry[], keys: NotaryKeys): Promise<PreparedAppend> {
    const entryBytes = entries.map((e) => logEntryBytes(e));
    const window = new AppendWindow(
      this.range,
      entryBytes.map((bytes) => RFC6962_SHA256.hashLeaf(bytes)),
    );
    const newRoot = window.root();
    // The log never forks: the new checkpoint must provably extend the last one.
    if (this.range.size > 0) {
      const consistent = verifyConsistency(RFC6962_SHA256, this.range.size, window.size, window.consistencyProof(), this.root, newRoot);
      if (!consistent.ok) throw new LogForkError(`refusing to sign size ${window.size}: it is not consistent with the checkpoint of size ${this.range.size} (${consistent.reason})`);
    }
    const body = formatCheckpoint({ origin: this.origin, size: window.size, rootHash: newRoot, extensions: [] });
    // Ed25519 first (what every signed-note verifier knows), then the post-quantum line if the tenant has one.
    const checkpoint = `${signNote(body, keys.signer)}${keys.mlDsa ? mlDsaCheckpointLine(body, keys.mlDsa.signer, Math.floor(Date.now() / 1000)) : ''}`;
    const receipts = entries.map((e, i): ReceiptBody => {
      const logIndex = this.range.size + i;
      return { ...e, v: 1, logIndex, checkpoint, inclusionProof: window.inclusionProof(logIndex).map(b64) };
    });
    // Synchronous node:crypto Ed25519: the same bytes as jose's CompactSign, without a promise per receipt.
    const jws = receipts.map((r) => signReceiptSync(r, keys.jws));
    return { receipts, jws, checkpoint, window, entryBytes };
  }

  /** The Redis projection of a committed append. */
  projection(prepared: PreparedAppend, nextOffset: string): CommittedAppend {
    const { window } = prepared;
    return {
      applied: { size: window.size, nextOffset, checkpoint: prepared.checkpoint },
      nodes: newStoredNodes(window.base.size, window.size).map((id) => ({ id, hash: window.node(id) })),
      receipts: prepared.receipts.map((r, i) => ({ batchId: r.batchId, jws: prepared.jws[i]! })),
      entries: prepared.receipts.map((r, i) => ({ index: r.logIndex, bytes: prepared.entryBytes[i]! })),
    };
  }

  committed(prepared: PreparedAppend): void {
    this.range = prepared.window.compactRange();
    this.root = prepared.window.root();
    this.lastCheckpoint = prepared.checkpoint;
  }

  /** The compact range of `size` read back from the store's tiles. */
  static async rangeFromStore(store: LogStore, size: number): Promise<CompactRange> {
    return { size, hashes: await store.nodes(compactRangeIds(size)) };
  }
}
