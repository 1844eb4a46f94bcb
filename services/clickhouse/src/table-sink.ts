import type { ClickHouseClient } from '@clickhouse/client';
import { insertBody } from './insert.js';
import { identifier } from './sql.js';

/** Rows per INSERT unless a sink says otherwise: large enough for ClickHouse, small enough for the heap. */
export const DEFAULT_CHUNK_ROWS = 50_000;

/** Rows added one at a time; each full chunk is inserted before `add` returns. */
export interface RowBatch<Row> {
  add(row: Row): Promise<void>;
  /** Inserts what is left; the batch is empty afterwards. */
  end(): Promise<void>;
}

/**
 * The writer of one table for rows built in code (dr baselines and performance, settlement
 * trades, allocations and statements). Rows go as JSONEachRow, at most `chunkRows` per
 * INSERT, through the same insert call as the loader's RowBinary path. Idempotency stays
 * with the table: every owner keys its rows so that writing them again folds in the
 * table's ReplacingMergeTree. Client errors are passed on unchanged, so each caller keeps
 * its own retry decision.
 */
export class TableSink<Row extends object> {
  readonly table: string;
  readonly chunkRows: number;

  constructor(table: string, options: { chunkRows?: number } = {}) {
    this.table = identifier(table);
    this.chunkRows = options.chunkRows ?? DEFAULT_CHUNK_ROWS;
    if (!(Number.isSafeInteger(this.chunkRows) && this.chunkRows >= 1)) throw new RangeError(`chunkRows ${this.chunkRows} of ${table} must be a positive integer`);
  }

  /** The statement each chunk is sent with (the rows follow it); the SQL check runs it too. */
  get statement(): string {
    return `INSERT INTO ${this.table} FORMAT JSONEachRow`;
  }

  /** Inserts `rows` in chunks, in order; nothing is sent for an empty list. */
  async write(client: ClickHouseClient, rows: readonly Row[]): Promise<void> {
    for (let i = 0; i < rows.length; i += this.chunkRows) await insertBody(client, this.table, undefined, 'JSONEachRow', rows.slice(i, i + this.chunkRows));
  }

  /** For row sets too large to build at once: rows are inserted as each chunk fills. */
  batch(client: ClickHouseClient): RowBatch<Row> {
    let rows: Row[] = [];
    const flush = async () => {
      if (rows.length === 0) return;
      const chunk = rows;
      rows = [];
      await insertBody(client, this.table, undefined, 'JSONEachRow', chunk);
    };
    return {
      add: async (row) => {
        rows.push(row);
        if (rows.length >= this.chunkRows) await flush();
      },
      end: flush,
    };
  }
}
