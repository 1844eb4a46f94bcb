import type { ClickHouseClient } from '@ies/clickhouse';
import { batchReadsQuery, countReadsQuery, locateReadQuery, sampleReadsQuery, storedReadGroupsQuery, type Channel } from './queries.js';

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

/** How many reads a tenant has stored (FINAL: copies count once), optionally narrowed. */
export async function countReads(ch: ClickHouseClient, discomId: string, filter: { meterIdPrefix?: string; receivedSinceMs?: number } = {}): Promise<number> {
  const rs = await ch.query({ query: countReadsQuery(discomId, filter), format: 'JSONEachRow' });
  return Number((await rs.json<{ n: string | number }>())[0]?.n ?? 0);
}

/** Up to `limit` random reads received since a time: which block of which meter, in which batch. */
export async function sampleReads(ch: ClickHouseClient, discomId: string, receivedSinceMs: number, limit: number): Promise<{ meterId: string; blockStart: number; channel: Channel; batchId: string }[]> {
  const rs = await ch.query({ query: sampleReadsQuery(discomId, receivedSinceMs, limit), format: 'JSONEachRow' });
  const rows = await rs.json<{ meter_id: string; t: string | number; channel: Channel; batch_id: string }>();
  return rows.map((r) => ({ meterId: r.meter_id, blockStart: Number(r.t) * 1000, channel: r.channel, batchId: r.batch_id }));
}

/** A (meter, block, channel, batch) of `reads` as stored: raw row count and the distinct Wh and leaf indexes of its copies. */
export interface StoredReadVersion {
  meterId: string;
  blockStart: number;
  channel: Channel;
  batchId: string;
  copies: number;
  whs: number[];
  indexes: number[];
}

/** Every stored version of the tenant's reads of blocks in, or received in, [fromMs, toMs), unmerged copies counted (the auditor's view). */
export async function storedReadVersions(ch: ClickHouseClient, discomId: string, fromMs: number, toMs: number): Promise<StoredReadVersion[]> {
  const rs = await ch.query({ query: storedReadGroupsQuery(discomId, fromMs, toMs), format: 'JSONEachRow' });
  const rows = await rs.json<{ meter_id: string; block_sec: string | number; channel: Channel; batch_id: string; copies: string | number; whs: (string | number)[]; idx: (string | number)[] }>();
  return rows.map((r) => ({ meterId: r.meter_id, blockStart: Number(r.block_sec) * 1000, channel: r.channel, batchId: r.batch_id, copies: Number(r.copies), whs: r.whs.map(Number).sort((a, b) => a - b), indexes: r.idx.map(Number).sort((a, b) => a - b) }));
}
