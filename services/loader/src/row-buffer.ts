import type { DeadLetterRow } from './domain/rows.js';
import { RowBinaryWriter } from './row-binary.js';
import { DEAD_LETTER_COLUMNS, writeDeadLetterRowBinary } from './row-encoding.js';

export interface TopicPartitionOffset {
  topic: string;
  partition: number;
  /** The next offset to consume, as Kafka commits it. */
  offset: string;
}

/** The RowBinary rows of one table in one flush. */
export interface TableRows {
  table: string;
  columns: readonly string[];
  /** The body of the INSERT, in order. */
  chunks: Buffer[];
  rows: number;
}

/** What one flush inserts and, once every INSERT succeeded, commits. */
export interface PendingInsert {
  tables: TableRows[];
  rows: number;
  offsets: TopicPartitionOffset[];
}

interface TableBuffer {
  columns: readonly string[];
  writer: RowBinaryWriter;
  rows: number;
}

export const DEAD_LETTERS_TABLE = 'dead_letters';

/**
 * Rows accumulated across Kafka messages, already RowBinary-encoded per table (encoding as
 * records arrive overlaps it with the inserts in flight), and the offset each partition may
 * commit once they are in ClickHouse.
 */
export class RowBuffer {
  private tables = new Map<string, TableBuffer>();
  private offsets = new Map<string, TopicPartitionOffset>();
  rows = 0;
  /** When the oldest content arrived (ms), or undefined while empty. */
  since: number | undefined;

  isEmpty(): boolean {
    return this.since === undefined;
  }

  /** Where a sink appends the rows of `table`; report them with `added`. */
  writerFor(table: string, columns: readonly string[]): RowBinaryWriter {
    let t = this.tables.get(table);
    if (t === undefined) {
      t = { columns, writer: new RowBinaryWriter(), rows: 0 };
      this.tables.set(table, t);
    }
    return t.writer;
  }

  added(table: string, rows: number): void {
    const t = this.tables.get(table);
    if (t === undefined) throw new RangeError(`no rows of ${table} were written`);
    t.rows += rows;
    this.rows += rows;
    this.touch();
  }

  addDeadLetters(rows: readonly DeadLetterRow[]): void {
    if (rows.length === 0) return;
    const w = this.writerFor(DEAD_LETTERS_TABLE, DEAD_LETTER_COLUMNS);
    for (const r of rows) writeDeadLetterRowBinary(w, r);
    this.added(DEAD_LETTERS_TABLE, rows.length);
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
    const tables: TableRows[] = [];
    for (const [table, t] of this.tables) if (t.rows > 0) tables.push({ table, columns: t.columns, chunks: t.writer.chunks(), rows: t.rows });
    const pending: PendingInsert = { tables, rows: this.rows, offsets: [...this.offsets.values()] };
    this.tables = new Map();
    this.offsets = new Map();
    this.rows = 0;
    this.since = undefined;
    return pending;
  }
}
