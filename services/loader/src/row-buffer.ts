import type { DeadLetterRow, ReadRow } from './domain/rows.js';
import { RowBinaryWriter } from './row-binary.js';
import { writeDeadLetterRowBinary, writeReadRowBinary } from './row-encoding.js';

export interface TopicPartitionOffset {
  topic: string;
  partition: number;
  /** The next offset to consume, as Kafka commits it. */
  offset: string;
}

const MIN_READS_BYTES = 1024 * 1024;

/** What one flush inserts and, once both inserts succeeded, commits. */
export interface PendingInsert {
  reads: Buffer;
  readCount: number;
  deadLetters: Buffer;
  deadLetterCount: number;
  offsets: TopicPartitionOffset[];
}

/**
 * Rows accumulated across Kafka messages, already RowBinary-encoded (encoding as records
 * arrive overlaps it with the insert in flight), and the offset each partition may commit
 * once they are in ClickHouse.
 */
export class RowBuffer {
  private reads: RowBinaryWriter;
  private deadLetters = new RowBinaryWriter(4 * 1024);
  private offsets = new Map<string, TopicPartitionOffset>();
  private sizeHint = MIN_READS_BYTES;
  readCount = 0;
  deadLetterCount = 0;
  /** When the oldest content arrived (ms), or undefined while empty. */
  since: number | undefined;

  constructor() {
    this.reads = new RowBinaryWriter(this.sizeHint);
  }

  get rows(): number {
    return this.readCount + this.deadLetterCount;
  }

  isEmpty(): boolean {
    return this.since === undefined;
  }

  addReads(rows: readonly ReadRow[]): void {
    for (const r of rows) writeReadRowBinary(this.reads, r);
    this.readCount += rows.length;
    this.touch();
  }

  addDeadLetters(rows: readonly DeadLetterRow[]): void {
    for (const r of rows) writeDeadLetterRowBinary(this.deadLetters, r);
    this.deadLetterCount += rows.length;
    this.touch();
  }

  /** Everything before `offset` on the partition is in this buffer (or needs no row). */
  consumedUpTo(topic: string, partition: number, offset: string): void {
    this.offsets.set(`${topic}\u0000${partition}`, { topic, partition, offset });
    this.touch();
  }

  private touch(): void {
    this.since ??= Date.now();
  }

  /** Hands the content over and starts empty. */
  take(): PendingInsert {
    const pending: PendingInsert = {
      reads: this.reads.bytes(),
      readCount: this.readCount,
      deadLetters: this.deadLetters.bytes(),
      deadLetterCount: this.deadLetterCount,
      offsets: [...this.offsets.values()],
    };
    // The next buffer starts at the size this one reached, so steady state never regrows.
    this.sizeHint = Math.max(MIN_READS_BYTES, pending.reads.length);
    this.reads = new RowBinaryWriter(this.sizeHint);
    this.deadLetters = new RowBinaryWriter(4 * 1024);
    this.offsets = new Map();
    this.readCount = 0;
    this.deadLetterCount = 0;
    this.since = undefined;
    return pending;
  }
}
