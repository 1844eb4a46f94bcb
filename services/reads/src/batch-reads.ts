import type { ClickHouseClient } from '@ies/clickhouse';
import { batchReadsQuery, locateReadQuery, type Channel } from './queries.js';

/** A read as the log API shows it (the shape of @ies/notary's PublicRead). */
export interface StoredRead {
  discomId: string;
  meterId: string;
  blockStart: number;
  channel: Channel;
  wh: number;
  validationStatus: string;
  source: string;
}

/** The batch and leaf index of a read: the latest version by receipt time unless `batchId` names one. */
export async function locateRead(ch: ClickHouseClient, discomId: string, read: { meterId: string; blockStart: number; channel: Channel; batchId?: string }): Promise<{ batchId: string; indexInBatch: number } | undefined> {
  const rs = await ch.query({ query: locateReadQuery(discomId, read), format: 'JSONEachRow' });
  const [row] = await rs.json<{ batch_id: string; index_in_batch: number | string }>();
  return row ? { batchId: row.batch_id, indexInBatch: Number(row.index_in_batch) } : undefined;
}

/** A batch's reads in leaf order (reads_by_batch); empty when the batch is unknown. */
export async function readsOfBatch(ch: ClickHouseClient, discomId: string, batchId: string): Promise<StoredRead[]> {
  const rs = await ch.query({ query: batchReadsQuery(discomId, batchId), format: 'JSONEachRow' });
  const rows = await rs.json<{ meter_id: string; block_start: string | number; channel: Channel; wh: string | number; validation_status: string; source: string }>();
  return rows.map((r) => ({ discomId, meterId: r.meter_id, blockStart: Number(r.block_start), channel: r.channel, wh: Number(r.wh), validationStatus: r.validation_status, source: r.source }));
}
