import type { ClickHouseClient } from '@ies/clickhouse';
import { IesError } from '@ies/errors';
import { randomUUID } from 'node:crypto';
import { createMeterSetQuery, dayFingerprintsQuery, latestBlocksQuery, packedSeriesQuery, PACKED_VALUE_BITS, type Channel } from './queries.js';
import { decodeSeries, seriesKey } from './series-decode.js';
import { isUsableStatus, USABLE_STATUSES } from './statuses.js';

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
 * Every meter asked for is in the answer, all −1 when it has no reads. (loadLatestSeriesOfMany
 * with one request; as known at an instant, by version.)
 */
export async function loadLatestSeries(ch: ClickHouseClient, discomId: string, channel: Channel, meterIds: readonly string[], fromMs: number, toMs: number, receivedByMs?: number): Promise<Map<string, LoadedSeries>> {
  if (receivedByMs === undefined) return (await loadLatestSeriesOfMany(ch, [{ discomId, channel, meterIds }], fromMs, toMs))[0]!;
  const result = new Map<string, Series>();
  await loadByVersion(ch, discomId, channel, meterIds, fromMs, toMs, result, receivedByMs);
  return result;
}

/** Meters of one DISCOM and channel. */
export interface SeriesRequest {
  readonly discomId: string;
  readonly channel: Channel;
  readonly meterIds: readonly string[];
}

type Series = { startMs: number; wh: Float64Array; batches: Set<string> };

/**
 * loadLatestSeries for several DISCOMs and channels at once: one answer per request, in order.
 * The meter channels asked for go into a temporary table of one ClickHouse session and one
 * query — one pass over `reads` — joins them, packed (RowBinary, one row per meter channel);
 * only meter channels with two rows for a block (a revision, or a redelivery not merged yet)
 * are asked again, by version (latestBlocksQuery). A range off the 15-minute grid takes that
 * path throughout.
 */
export async function loadLatestSeriesOfMany(ch: ClickHouseClient, requests: readonly SeriesRequest[], fromMs: number, toMs: number): Promise<Map<string, LoadedSeries>[]> {
  const blocks = Math.max(0, Math.ceil((toMs - fromMs) / BLOCK_MS));
  const results = requests.map((r) => {
    const m = new Map<string, Series>();
    for (const id of r.meterIds) m.set(id, { startMs: fromMs, wh: new Float64Array(blocks).fill(-1), batches: new Set() });
    return m;
  });
  if (blocks === 0 || results.every((m) => m.size === 0)) return results;
  const revised = fromMs % BLOCK_MS === 0 ? await loadJoined(ch, requests, results, fromMs, blocks) : requests.map((r, i) => [...results[i]!.keys()]);
  for (const [i, r] of requests.entries()) await loadByVersion(ch, r.discomId, r.channel, revised[i]!, fromMs, toMs, results[i]!);
  return results;
}

/** A value above it travels as unusable: the packed form has 37 bits for wh + 1. */
const MAX_PACKED_WH = 2 ** PACKED_VALUE_BITS - 2;

/** The joined query into `results`; returns per request the meters with two rows for a block. */
async function loadJoined(ch: ClickHouseClient, requests: readonly SeriesRequest[], results: readonly Map<string, Series>[], fromMs: number, blocks: number): Promise<string[][]> {
  const session_id = `ies-reads-${randomUUID()}`;
  const table = 'wanted_meters';
  const fromSec = fromMs / 1000;
  // A meter channel may be in more than one request; each gets the answer.
  const slots = new Map<string, [Map<string, Series>, string, string[]][]>();
  const revised = requests.map(() => [] as string[]);
  const rows: { discom_id: string; meter_id: string; channel: Channel }[] = [];
  requests.forEach((r, i) => {
    for (const id of results[i]!.keys()) {
      const key = seriesKey(r.discomId, id, r.channel);
      const targets = slots.get(key);
      if (targets !== undefined) targets.push([results[i]!, id, revised[i]!]);
      else {
        slots.set(key, [[results[i]!, id, revised[i]!]]);
        rows.push({ discom_id: r.discomId, meter_id: id, channel: r.channel });
      }
    }
  });
  try {
    await ch.command({ query: createMeterSetQuery(table), session_id });
    await ch.insert({ table, values: rows, format: 'JSONEachRow', session_id });
    const query = packedSeriesQuery({ fromSec, toSec: fromSec + blocks * (BLOCK_MS / 1000), usable: USABLE_STATUSES, maxWh: MAX_PACKED_WH, meterTable: table });
    const { stream } = await ch.exec({ query, session_id });
    await decodeSeries(stream as AsyncIterable<Buffer>, blocks, new Set(slots.keys()), (key, series) => {
      for (const [result, meterId, again] of slots.get(key)!) {
        if (series === null) again.push(meterId);
        else result.set(meterId, { startMs: fromMs, wh: series.wh, batches: series.batches });
      }
    });
  } catch (cause) {
    if (cause instanceof IesError) throw cause;
    throw new IesError('IES_ERR_DEPENDENCY_UNAVAILABLE', `reads for ${slots.size} meter channel(s) of ${[...new Set(requests.map((r) => r.discomId))].join(', ')} from ClickHouse failed: ${(cause as Error).message}`, { cause });
  } finally {
    await ch.command({ query: `DROP TEMPORARY TABLE IF EXISTS ${table}`, session_id }).catch(() => undefined); // the session's expiry drops it too
  }
  return revised;
}

/** latestBlocksQuery per chunk of meters: GROUP BY meter and block with argMax by version. */
async function loadByVersion(ch: ClickHouseClient, discomId: string, channel: Channel, meterIds: readonly string[], fromMs: number, toMs: number, result: Map<string, Series>, receivedByMs?: number): Promise<void> {
  const blocks = Math.max(0, Math.ceil((toMs - fromMs) / BLOCK_MS));
  for (const chunk of chunks(meterIds)) {
    const query = latestBlocksQuery({ discomId, channel, meterIds: chunk, fromSec: Math.floor(fromMs / 1000), toSec: Math.ceil(toMs / 1000), ...(receivedByMs === undefined ? {} : { receivedByMs }) });
    const rows = await rowsOf<{ meter_id: string; block_sec: number | string; latest_wh: number | string; latest_status: string; latest_batch: string }>(ch, query, `reads for ${chunk.length} meter(s) of ${discomId}`);
    for (const id of chunk) result.set(id, { startMs: fromMs, wh: new Float64Array(blocks).fill(-1), batches: new Set() });
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
