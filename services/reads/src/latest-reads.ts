import type { ClickHouseClient } from '@ies/clickhouse';
import { IesError } from '@ies/errors';
import { dayFingerprintsQuery, latestBlocksQuery, type Channel } from './queries.js';
import { isUsableStatus } from './statuses.js';

/** One meter channel on the block grid from `startMs`: wh[i] = −1 where no usable read; the batches the values came from. */
export interface LoadedSeries {
  readonly startMs: number;
  readonly wh: Float64Array;
  readonly batches: ReadonlySet<string>;
}

const BLOCK_MS = 900_000;
const METERS_PER_QUERY = 2_000;

/** Sorted meter ids in runs of METERS_PER_QUERY, one query each. */
function* chunks(ids: readonly string[]): Generator<string[]> {
  const sorted = [...ids].sort();
  for (let i = 0; i < sorted.length; i += METERS_PER_QUERY) yield sorted.slice(i, i + METERS_PER_QUERY);
}

async function rowsOf<T>(ch: ClickHouseClient, query: string, failure: string): Promise<T[]> {
  try {
    return await (await ch.query({ query, format: 'JSONEachRow' })).json<T>();
  } catch (cause) {
    throw new IesError('IES_ERR_DEPENDENCY_UNAVAILABLE', `${failure} from ClickHouse failed: ${(cause as Error).message}`, { cause });
  }
}

/**
 * The latest version of each read — the greatest (received_at_ms, batch_id) — per meter and
 * 15-minute block of one channel, for blocks in [fromMs, toMs), usable statuses only; with
 * `receivedByMs`, the latest version received by then (the reads as known at that instant).
 * Every meter asked for is in the answer, all −1 when it has no reads.
 */
export async function loadLatestSeries(ch: ClickHouseClient, discomId: string, channel: Channel, meterIds: readonly string[], fromMs: number, toMs: number, receivedByMs?: number): Promise<Map<string, LoadedSeries>> {
  const blocks = Math.max(0, Math.ceil((toMs - fromMs) / BLOCK_MS));
  const result = new Map<string, { startMs: number; wh: Float64Array; batches: Set<string> }>();
  for (const id of meterIds) result.set(id, { startMs: fromMs, wh: new Float64Array(blocks).fill(-1), batches: new Set() });
  for (const chunk of chunks([...result.keys()])) {
    const query = latestBlocksQuery({ discomId, channel, meterIds: chunk, fromSec: Math.floor(fromMs / 1000), toSec: Math.ceil(toMs / 1000), ...(receivedByMs === undefined ? {} : { receivedByMs }) });
    const rows = await rowsOf<{ meter_id: string; block_sec: number | string; latest_wh: number | string; latest_status: string; latest_batch: string }>(ch, query, `reads for ${chunk.length} meter(s) of ${discomId}`);
    for (const r of rows) {
      const series = result.get(r.meter_id);
      if (!series) continue;
      const index = (Number(r.block_sec) * 1000 - fromMs) / BLOCK_MS;
      if (!Number.isInteger(index) || index < 0 || index >= blocks) continue;
      const wh = Number(r.latest_wh);
      series.batches.add(r.latest_batch);
      series.wh[index] = isUsableStatus(r.latest_status) && Number.isSafeInteger(wh) && wh >= 0 ? wh : -1;
    }
  }
  return result;
}

/**
 * What a meter channel's reads are, per UTC day of [fromMs, toMs), without the reads: the
 * number of distinct (block, batch) rows and the latest acceptance time ("n/r"). A new batch
 * (a late read, a revision) changes it; a redelivered copy or a background merge does not.
 */
export async function readFingerprints(ch: ClickHouseClient, discomId: string, channel: Channel, meterIds: readonly string[], fromMs: number, toMs: number): Promise<Map<string, Map<number, string>>> {
  const result = new Map<string, Map<number, string>>(meterIds.map((m) => [m, new Map()]));
  for (const chunk of chunks([...result.keys()])) {
    const query = dayFingerprintsQuery({ discomId, channel, meterIds: chunk, fromSec: Math.floor(fromMs / 1000), toSec: Math.ceil(toMs / 1000) });
    const rows = await rowsOf<{ meter_id: string; day_sec: number | string; n: number | string; r: number | string }>(ch, query, `read fingerprints of ${chunk.length} meter(s) of ${discomId}`);
    for (const r of rows) result.get(r.meter_id)?.set(Number(r.day_sec) * 1000, `${r.n}/${r.r}`);
  }
  return result;
}
