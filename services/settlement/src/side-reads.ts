import { literal, sql, type ClickHouseClient } from '@ies/clickhouse';
import { IesError } from '@ies/errors';
import type { Channel } from './domain/allocation.js';
import { BLOCK_MS } from '@ies/units';

/**
 * Statuses whose value settlement uses: VALID, ESTIMATED (VEE substitutions) and MANUAL
 * (entered by an operator after validation). SUSPECT and REJECTED count as missing.
 */
export const SETTLEMENT_USABLE_STATUSES: readonly string[] = Object.freeze(['VALID', 'ESTIMATED', 'MANUAL']);

/** One meter channel on the block grid from `startMs`: wh[i] = −1 where no usable read; the batches the values came from. */
export interface LoadedSeries {
  readonly startMs: number;
  readonly wh: Float64Array;
  readonly batches: ReadonlySet<string>;
}

const METERS_PER_QUERY = 2_000;

/**
 * The latest version of each read — the greatest (received_at_ms, batch_id) — per meter and
 * 15-minute block of one channel, for blocks in [fromMs, toMs). GROUP BY with argMax, so
 * redelivered (not yet merged) copies and superseded revisions count once. Every meter asked
 * for is in the answer, all −1 when it has no reads.
 */
export async function loadSideReads(ch: ClickHouseClient, discomId: string, channel: Channel, meterIds: readonly string[], fromMs: number, toMs: number): Promise<Map<string, LoadedSeries>> {
  const blocks = Math.max(0, Math.ceil((toMs - fromMs) / BLOCK_MS));
  const result = new Map<string, { startMs: number; wh: Float64Array; batches: Set<string> }>();
  for (const id of meterIds) result.set(id, { startMs: fromMs, wh: new Float64Array(blocks).fill(-1), batches: new Set() });
  const ids = [...result.keys()].sort();
  for (let i = 0; i < ids.length; i += METERS_PER_QUERY) {
    const chunk = ids.slice(i, i + METERS_PER_QUERY);
    const query = 'SELECT meter_id, toUInt32(block_start) AS block_sec,'
      + ' argMax(wh, (received_at_ms, batch_id)) AS latest_wh,'
      + ' argMax(validation_status, (received_at_ms, batch_id)) AS latest_status,'
      + ' argMax(batch_id, (received_at_ms, batch_id)) AS latest_batch FROM reads'
      + sql` WHERE discom_id = ${discomId} AND channel = ${channel}`
      + ` AND block_start >= toDateTime(${Math.floor(fromMs / 1000)}) AND block_start < toDateTime(${Math.ceil(toMs / 1000)})`
      + ` AND meter_id IN (${chunk.map((m) => literal(m)).join(', ')})`
      + ' GROUP BY meter_id, block_start';
    let rows: { meter_id: string; block_sec: number | string; latest_wh: number | string; latest_status: string; latest_batch: string }[];
    try {
      rows = await (await ch.query({ query, format: 'JSONEachRow' })).json();
    } catch (cause) {
      throw new IesError('IES_ERR_DEPENDENCY_UNAVAILABLE', `reads for ${chunk.length} meter(s) of ${discomId} from ClickHouse failed: ${(cause as Error).message}`, { cause });
    }
    for (const r of rows) {
      const series = result.get(r.meter_id);
      if (!series) continue;
      const index = (Number(r.block_sec) * 1000 - fromMs) / BLOCK_MS;
      if (!Number.isInteger(index) || index < 0 || index >= blocks) continue;
      const wh = Number(r.latest_wh);
      series.batches.add(r.latest_batch);
      series.wh[index] = SETTLEMENT_USABLE_STATUSES.includes(r.latest_status) && Number.isSafeInteger(wh) && wh >= 0 ? wh : -1;
    }
  }
  return result;
}

/**
 * What a meter channel's reads are, per UTC day of [fromMs, toMs), without the reads: the
 * number of distinct (block, batch) rows and the latest acceptance time. A new batch (a late
 * read, a revision) changes it; a redelivered copy or a background merge does not. The sweep
 * compares it with what it saw last time, so it loads the reads only of meters that changed.
 */
export async function readFingerprints(ch: ClickHouseClient, discomId: string, channel: Channel, meterIds: readonly string[], fromMs: number, toMs: number): Promise<Map<string, Map<number, string>>> {
  const result = new Map<string, Map<number, string>>(meterIds.map((m) => [m, new Map()]));
  const ids = [...result.keys()].sort();
  for (let i = 0; i < ids.length; i += METERS_PER_QUERY) {
    const chunk = ids.slice(i, i + METERS_PER_QUERY);
    const query = 'SELECT meter_id, toUInt32(toStartOfDay(block_start)) AS day_sec, uniqExact(block_start, batch_id) AS n, max(received_at_ms) AS r FROM reads'
      + sql` WHERE discom_id = ${discomId} AND channel = ${channel}`
      + ` AND block_start >= toDateTime(${Math.floor(fromMs / 1000)}) AND block_start < toDateTime(${Math.ceil(toMs / 1000)})`
      + ` AND meter_id IN (${chunk.map((m) => literal(m)).join(', ')})`
      + ' GROUP BY meter_id, day_sec';
    let rows: { meter_id: string; day_sec: number | string; n: number | string; r: number | string }[];
    try {
      rows = await (await ch.query({ query, format: 'JSONEachRow' })).json();
    } catch (cause) {
      throw new IesError('IES_ERR_DEPENDENCY_UNAVAILABLE', `read fingerprints of ${chunk.length} meter(s) of ${discomId} from ClickHouse failed: ${(cause as Error).message}`, { cause });
    }
    for (const r of rows) result.get(r.meter_id)?.set(Number(r.day_sec) * 1000, `${r.n}/${r.r}`);
  }
  return result;
}
