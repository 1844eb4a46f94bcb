// Meter history for baselines, read from the loader's ClickHouse `reads` table through
// @ies/reads: per meter, IST date → 96 interval values (Wh, null where missing or
// unusable), the shape computeBaseline takes. Design and measurements: services/dr/README.md,
// "History from ClickHouse".
import type { ClickHouseClient } from '@ies/clickhouse';
import { loadHistoryGrid, loadHistoryRows, USABLE_STATUSES, type HistoryDays, type HistoryGridSpec } from '@ies/reads';
import { GridDays, MAX_READ_WH } from './domain/baseline-day-reads.js';
import { drError } from './domain/codes.js';
import { BLOCKS_PER_DAY, dateOfDayIndex, dayIndexOfDate, istDayStartMs } from '@ies/units';

/** Statuses whose value a baseline may use: the one definition in @ies/reads. */
export { USABLE_STATUSES, type HistoryDays };

export interface MeterHistoryQuery {
  readonly discomId: string;
  /** Meters to load (e.g. the enrolled ones); each appears in the result, with no days when it has no reads. */
  readonly meterIds: readonly string[];
  /** First and last IST date to load, inclusive. */
  readonly fromDay: string;
  readonly toDay: string;
  readonly channel?: 'IMPORT' | 'EXPORT';
  readonly usableStatuses?: readonly string[];
  /** Upper bound on meters per query (the id list is also kept under ClickHouse's 256 KiB query limit). */
  readonly metersPerQuery?: number;
  /** Queries in flight: 2 lets the server aggregate one chunk while this process decodes another. */
  readonly concurrency?: number;
  readonly signal?: AbortSignal;
}

/** A day range longer than this is refused: 366 days × 96 slots keeps every packed value below 2^53. */
export const MAX_HISTORY_DAYS = 366;
const DEFAULT_METERS_PER_QUERY = 5_000;

/**
 * Loads the latest version of each read — the one with the greatest (received_at_ms,
 * batch_id) — per meter, 15-minute block and channel, for IST days fromDay…toDay.
 * Values outside 0…2^36 Wh count as missing, like unusable statuses. The request is checked
 * here (dr's input errors); the query and its decoding are @ies/reads' loadHistoryGrid.
 */
export async function loadMeterHistory(ch: ClickHouseClient, query: MeterHistoryQuery): Promise<Map<string, HistoryDays>> {
  return loadHistoryGrid(ch, historySpec(query));
}

/** A chunk of meters' history in the compact form computeBaseline also takes: days[i] belongs to meterIds[i]. */
export interface MeterHistoryChunk {
  readonly meterIds: readonly string[];
  readonly days: readonly GridDays[];
}

/**
 * The same history as loadMeterHistory, a chunk of meters at a time and without an array per
 * meter-day: each meter's days are views into the chunk's typed grid (GridDays, NaN where
 * missing). `consume` runs once per chunk, synchronously, and must be done with the chunk's
 * days when it returns (the grid is reused for a later chunk); every meter asked for is in
 * exactly one chunk. What a baseline of many meters loads (baseline-from-history.ts).
 */
export async function loadMeterHistoryChunks(ch: ClickHouseClient, query: MeterHistoryQuery, consume: (chunk: MeterHistoryChunk) => void): Promise<void> {
  const spec = historySpec(query);
  const dayOf = new Map(spec.dates.map((date, d) => [date, d]));
  const n = spec.dates.length;
  await loadHistoryRows(ch, spec, (rows) => {
    const days = rows.meterIds.map((_, r) => new GridDays(rows.values, r * n * BLOCKS_PER_DAY, rows.present, r * n, dayOf));
    consume({ meterIds: rows.meterIds, days });
  });
}

/** Checks a history request (dr's input errors) and turns it into @ies/reads' grid spec. */
function historySpec(query: MeterHistoryQuery): HistoryGridSpec {
  const problems: string[] = [];
  const from = dayIndexOfDate(query.fromDay);
  const to = dayIndexOfDate(query.toDay);
  if (from === undefined) problems.push(`fromDay ${JSON.stringify(query.fromDay)} is not a YYYY-MM-DD date`);
  if (to === undefined) problems.push(`toDay ${JSON.stringify(query.toDay)} is not a YYYY-MM-DD date`);
  if (from !== undefined && to !== undefined && (to < from || to - from + 1 > MAX_HISTORY_DAYS)) problems.push(`${query.fromDay}…${query.toDay} is ${to - from + 1} days; it must be 1 to ${MAX_HISTORY_DAYS}`);
  const seen = new Set<string>();
  for (const id of query.meterIds) {
    if (seen.has(id)) problems.push(`meter ${id} is listed twice`);
    seen.add(id);
  }
  const usable = query.usableStatuses ?? USABLE_STATUSES;
  if (usable.length === 0) problems.push('usableStatuses is empty');
  for (const [name, n] of [['metersPerQuery', query.metersPerQuery], ['concurrency', query.concurrency]] as const) {
    if (n !== undefined && !(Number.isSafeInteger(n) && n >= 1)) problems.push(`${name} ${n} must be a positive integer`);
  }
  if (problems.length > 0) throw drError('IES_ERR_DR_INPUT_INVALID', `meter history query: ${problems.slice(0, 3).join('; ')}`, { problems });
  return {
    discomId: query.discomId,
    channel: query.channel ?? 'IMPORT',
    usable,
    maxWh: MAX_READ_WH,
    fromSec: istDayStartMs(from!) / 1000,
    toSec: istDayStartMs(to! + 1) / 1000,
    dates: Array.from({ length: to! - from! + 1 }, (_, i) => dateOfDayIndex(from! + i)),
    meterIds: query.meterIds,
    metersPerQuery: query.metersPerQuery ?? DEFAULT_METERS_PER_QUERY,
    concurrency: query.concurrency ?? 2,
    ...(query.signal === undefined ? {} : { signal: query.signal }),
  };
}
