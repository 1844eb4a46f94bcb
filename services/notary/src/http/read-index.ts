import { sql, type ClickHouseClient } from '@ies/clickhouse';
import type { PublicRead } from '@ies/verify';
import type { ReadIndex } from './log-routes.js';

interface BatchRow {
  meter_id: string;
  block_start: string;
  channel: 'IMPORT' | 'EXPORT';
  wh: string | number;
  validation_status: string;
  source: string;
}

/**
 * The loader's ClickHouse tables as a read index (services/loader/README.md): `reads` finds a
 * read's batch (latest version by receipt time unless a batch is named), `reads_by_batch`
 * returns a batch's reads in leaf order. FINAL folds redelivered copies.
 */
export class ClickHouseReadIndex implements ReadIndex {
  constructor(private readonly ch: ClickHouseClient) {}

  async locate(discomId: string, read: { meterId: string; blockStart: number; channel: 'IMPORT' | 'EXPORT'; batchId?: string }) {
    const byBatch = read.batchId === undefined ? '' : sql` AND batch_id = ${read.batchId}`;
    const rs = await this.ch.query({
      query:
        sql`SELECT batch_id, index_in_batch FROM reads FINAL WHERE discom_id = ${discomId} AND meter_id = ${read.meterId} AND block_start = toDateTime(${Math.floor(read.blockStart / 1000)}, 'UTC') AND channel = ${read.channel}` +
        `${byBatch} ORDER BY received_at_ms DESC, batch_id DESC LIMIT 1`,
      format: 'JSONEachRow',
    });
    const [row] = await rs.json<{ batch_id: string; index_in_batch: number | string }>();
    return row ? { batchId: row.batch_id, indexInBatch: Number(row.index_in_batch) } : undefined;
  }

  async batchReads(discomId: string, batchId: string): Promise<PublicRead[]> {
    const rs = await this.ch.query({
      query: sql`SELECT meter_id, toUnixTimestamp(block_start) * 1000 AS block_start, channel, wh, validation_status, source FROM reads_by_batch FINAL WHERE discom_id = ${discomId} AND batch_id = ${batchId} ORDER BY index_in_batch`,
      format: 'JSONEachRow',
    });
    const rows = await rs.json<BatchRow>();
    return rows.map((r) => ({ discomId, meterId: r.meter_id, blockStart: Number(r.block_start), channel: r.channel, wh: Number(r.wh), validationStatus: r.validation_status, source: r.source }));
  }
}
