// Meter history for baselines, read from the loader's ClickHouse `reads` table: per meter,
// IST date → 96 interval values (Wh, null where missing or unusable), the shape
// computeBaseline takes. Design and measurements: services/dr/README.md, "History from
// ClickHouse".
import type { ClickHouseClient } from '@ies/clickhouse';
import { literal, sql } from '@ies/clickhouse';
import { IesError } from '@ies/errors';
import { MAX_READ_WH } from './domain/baseline-day-reads.js';
import { drError } from './domain/codes.js';
import { BLOCKS_PER_DAY as INTERVALS_PER_DAY, dateOfDayIndex, dayIndexOfDate, istDayStartMs } from '@ies/units';

/**
 * Statuses whose value a baseline may use. VALID and ESTIMATED (VEE substitutions, which
 * settlement also uses) and MANUAL (a value an operator entered after validation); SUSPECT
 * and REJECTED count as missing, like an absent read.
 */
export const USABLE_STATUSES: readonly string[] = Object.freeze(['VALID', 'ESTIMATED', 'MANUAL']);

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

/** IST date → 96 values (interval 0 = 00:00–00:15 IST); a day without any read is absent. */
export type HistoryDays = Map<string, (number | null)[]>;

/** A day range longer than this is refused: 366 days × 96 slots keeps every packed value below 2^53. */
export const MAX_HISTORY_DAYS = 366;
const DEFAULT_METERS_PER_QUERY = 5_000;
/** Bytes of meter-id literals per query; ClickHouse's max_query_size defaults to 262,144. */
const ID_LIST_BUDGET = 200_000;
/** A value travels as slot × 2^37 + (wh + 1), wh = -1 for an unusable read (see rowsQuery). */
const VALUE_BITS = 37;
const HIGH_SLOT_SHIFT = VALUE_BITS - 32;
const HI_VALUE_MASK = 2 ** HIGH_SLOT_SHIFT - 1;

/**
 * Loads the latest version of each read — the one with the greatest (received_at_ms,
 * batch_id) — per meter, 15-minute block and channel, for IST days fromDay…toDay.
 * Values outside 0…2^36 Wh count as missing, like unusable statuses.
 *
 * One query per chunk of meters groups the rows by meter only, which ClickHouse 18.16 does
 * an order of magnitude faster than grouping by (meter, block). A meter with two rows for a
 * block (a revision, or a redelivered batch not merged yet) is loaded again with each row's
 * version and resolved here.
 */
export async function loadMeterHistory(ch: ClickHouseClient, query: MeterHistoryQuery): Promise<Map<string, HistoryDays>> {
  const plan = planOf(query);
  const result = new Map<string, HistoryDays>();
  for (const id of query.meterIds) result.set(id, new Map());
  const revised: string[] = [];
  const metersPerQuery = query.metersPerQuery ?? DEFAULT_METERS_PER_QUERY;
  const concurrency = query.concurrency ?? 2;
  await inPool(chunksOf([...query.meterIds].sort(), metersPerQuery), concurrency, (ids) =>
    fetchChunk(ch, rowsQuery(plan, ids, false), query.signal, (stream) => decode(stream, plan, new Set(ids), false, (meterId, days) => {
      if (days === null) revised.push(meterId);
      else result.set(meterId, days);
    })));
  await inPool(chunksOf(revised.sort(), metersPerQuery), concurrency, (ids) =>
    fetchChunk(ch, rowsQuery(plan, ids, true), query.signal, (stream) => decode(stream, plan, new Set(ids), true, (meterId, days) => result.set(meterId, days!))));
  return result;
}

interface Plan {
  readonly discomId: string;
  readonly channel: 'IMPORT' | 'EXPORT';
  readonly usable: readonly string[];
  readonly fromSec: number;
  readonly toSec: number;
  readonly dates: readonly string[];
}

function planOf(q: MeterHistoryQuery): Plan {
  const problems: string[] = [];
  const from = dayIndexOfDate(q.fromDay);
  const to = dayIndexOfDate(q.toDay);
  if (from === undefined) problems.push(`fromDay ${JSON.stringify(q.fromDay)} is not a YYYY-MM-DD date`);
  if (to === undefined) problems.push(`toDay ${JSON.stringify(q.toDay)} is not a YYYY-MM-DD date`);
  if (from !== undefined && to !== undefined && (to < from || to - from + 1 > MAX_HISTORY_DAYS)) problems.push(`${q.fromDay}…${q.toDay} is ${to - from + 1} days; it must be 1 to ${MAX_HISTORY_DAYS}`);
  const seen = new Set<string>();
  for (const id of q.meterIds) {
    if (seen.has(id)) problems.push(`meter ${id} is listed twice`);
    seen.add(id);
  }
  const usable = q.usableStatuses ?? USABLE_STATUSES;
  if (usable.length === 0) problems.push('usableStatuses is empty');
  for (const [name, n] of [['metersPerQuery', q.metersPerQuery], ['concurrency', q.concurrency]] as const) {
    if (n !== undefined && !(Number.isSafeInteger(n) && n >= 1)) problems.push(`${name} ${n} must be a positive integer`);
  }
  if (problems.length > 0) throw drError('IES_ERR_DR_INPUT_INVALID', `meter history query: ${problems.slice(0, 3).join('; ')}`, { problems });
  const dates = Array.from({ length: to! - from! + 1 }, (_, i) => dateOfDayIndex(from! + i));
  return { discomId: q.discomId, channel: q.channel ?? 'IMPORT', usable, fromSec: istDayStartMs(from!) / 1000, toSec: istDayStartMs(to! + 1) / 1000, dates };
}

/** Sorted ids cut into runs of at most `max` meters and ID_LIST_BUDGET bytes of literals. */
function chunksOf(sorted: readonly string[], max: number): string[][] {
  const chunks: string[][] = [];
  let chunk: string[] = [];
  let bytes = 0;
  for (const id of sorted) {
    const size = Buffer.byteLength(literal(id)) + 2;
    if (chunk.length > 0 && (chunk.length >= max || bytes + size > ID_LIST_BUDGET)) {
      chunks.push(chunk);
      chunk = [];
      bytes = 0;
    }
    chunk.push(id);
    bytes += size;
  }
  if (chunk.length > 0) chunks.push(chunk);
  return chunks;
}

/**
 * One row per meter: meter_id, then its rows in the day range as packed integers
 * slot × 2^37 + (wh + 1), slot = 15-minute blocks since 00:00 IST of fromDay, wh = -1 for
 * an unusable read. With versions, each element is (packed, received_at_ms, batch_id).
 */
function rowsQuery(plan: Plan, meterIds: readonly string[], withVersions: boolean): string {
  const list = (values: readonly string[]) => values.map((v) => literal(v)).join(', ');
  const value = `if(validation_status IN (${list(plan.usable)}) AND wh >= 0 AND wh <= ${MAX_READ_WH}, wh, -1)`;
  const packed = `intDiv(toUInt32(block_start) - ${plan.fromSec}, 900) * ${2 ** VALUE_BITS} + ${value} + 1`;
  const element = withVersions ? `(${packed}, received_at_ms, batch_id)` : packed;
  return `SELECT meter_id, groupArray(${element}) FROM reads`
    + sql` WHERE discom_id = ${plan.discomId} AND channel = ${plan.channel}`
    + ` AND block_start >= toDateTime(${plan.fromSec}) AND block_start < toDateTime(${plan.toSec})`
    + ` AND meter_id IN (${list(meterIds)}) GROUP BY meter_id FORMAT RowBinary`;
}

/** Runs one chunk's query and decodes its answer; failures other than our own checks become retriable dependency errors. */
async function fetchChunk(ch: ClickHouseClient, query: string, signal: AbortSignal | undefined, decodeStream: (stream: AsyncIterable<Buffer>) => Promise<void>): Promise<void> {
  try {
    const { stream } = await ch.exec(signal === undefined ? { query } : { query, abort_signal: signal });
    await decodeStream(stream as AsyncIterable<Buffer>);
  } catch (cause) {
    if (cause instanceof IesError || signal?.aborted) throw cause;
    throw new IesError('IES_ERR_DEPENDENCY_UNAVAILABLE', `meter history query to ClickHouse failed: ${(cause as Error).message}`, { cause });
  }
}

/** Runs `work` over `items`, `width` at a time; after a failure starts nothing new, waits for the rest, throws the first error. */
async function inPool<T>(items: readonly T[], width: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  let failed = false;
  const worker = async () => {
    while (!failed && next < items.length) {
      try {
        await work(items[next++]!);
      } catch (err) {
        failed = true;
        throw err;
      }
    }
  };
  const outcomes = await Promise.allSettled(Array.from({ length: Math.min(width, items.length) }, worker));
  const failure = outcomes.find((o): o is PromiseRejectedResult => o.status === 'rejected');
  if (failure) throw failure.reason;
}

const NULL_DAY: (number | null)[] = [];
for (let i = 0; i < INTERVALS_PER_DAY; i++) NULL_DAY.push(null); // packed, so slices are too

type DayArray = (number | null)[] | undefined;

/**
 * Decodes the RowBinary answer of rowsQuery. Calls `emit(meterId, days)`, or
 * `emit(meterId, null)` when a meter has two rows for one block and `withVersions` is false.
 * ClickHouse reports an error that happens mid-stream as text appended to the body; the
 * checks on ids, lengths and slots turn that into an error here.
 */
async function decode(stream: AsyncIterable<Buffer>, plan: Plan, ids: ReadonlySet<string>, withVersions: boolean, emit: (meterId: string, days: HistoryDays | null) => void): Promise<void> {
  const slots = plan.dates.length * INTERVALS_PER_DAY;
  const seen = new Uint8Array(slots);
  const versions = withVersions ? { receivedAt: new Float64Array(slots), batchAt: new Int32Array(slots), batchLength: new Int32Array(slots) } : null;
  const dayReads: DayArray[] = new Array<DayArray>(plan.dates.length);
  const done = new Set<string>();
  let buf: Buffer = Buffer.alloc(0);
  let pos = 0;

  const corrupt = (what: string, at: number): never => {
    const text = buf.subarray(Math.max(0, at - 64), at + 200).toString('latin1').replace(/[^\x20-\x7e]+/g, ' ');
    throw new IesError('IES_ERR_DEPENDENCY_UNAVAILABLE', `meter history answer from ClickHouse is malformed (${what}) near: ${text}`);
  };

  /** Decodes the meter row at `pos` and returns the position after it, or -1 when the buffer ends within it. */
  const row = (): number => {
    let p = pos;
    const idLength = varint(buf, p);
    if (idLength === TRUNCATED) return -1;
    if (idLength === TOO_LONG) corrupt('meter id length', p);
    p = varintEnd(buf, p);
    if (p + idLength > buf.length) return -1;
    const meterId = buf.toString('utf8', p, p + idLength);
    p += idLength;
    const n = varint(buf, p);
    if (n === TRUNCATED) return -1;
    if (n === TOO_LONG) corrupt('array length', p);
    if (!ids.has(meterId) || done.has(meterId)) corrupt(`meter ${JSON.stringify(meterId.slice(0, 40))} was not asked for or came twice`, pos);
    p = varintEnd(buf, p);
    seen.fill(0);
    dayReads.fill(undefined);
    let end: number;
    if (versions === null) {
      if (p + n * 8 > buf.length) return -1;
      end = placeLatestOnly(buf, p, n, slots, seen, dayReads);
    } else {
      end = placeWithVersions(buf, p, n, slots, seen, dayReads, versions);
      if (end === TRUNCATED) return -1;
    }
    if (end === BAD_SLOT) corrupt(`meter ${meterId} has an element that does not decode or a slot outside the ${plan.dates.length} days asked for`, pos);
    done.add(meterId);
    if (end === DUPLICATE) {
      emit(meterId, null);
      return p + n * 8;
    }
    const days: HistoryDays = new Map();
    for (let d = 0; d < dayReads.length; d++) if (dayReads[d] !== undefined) days.set(plan.dates[d]!, dayReads[d]!);
    emit(meterId, days);
    return end;
  };

  for await (const chunk of stream) {
    buf = pos < buf.length ? Buffer.concat([buf.subarray(pos), chunk]) : chunk;
    pos = 0;
    while (pos < buf.length) {
      const next = row();
      if (next < 0) break;
      pos = next;
    }
  }
  if (pos < buf.length) corrupt(`${buf.length - pos} bytes left after the last complete row`, pos);
}

const TRUNCATED = -1;
const TOO_LONG = -2;
const DUPLICATE = -3;
const BAD_SLOT = -4;

/** Unsigned LEB128 at `p` (RowBinary lengths), TRUNCATED when the buffer ends, TOO_LONG past 5 bytes. */
function varint(buf: Buffer, p: number): number {
  let n = 0;
  for (let shift = 0; shift <= 28; shift += 7) {
    if (p >= buf.length) return TRUNCATED;
    const b = buf[p++]!;
    n += (b & 0x7f) * 2 ** shift;
    if (b < 0x80) return n;
  }
  return TOO_LONG;
}

function varintEnd(buf: Buffer, p: number): number {
  while (buf[p]! >= 0x80) p++;
  return p + 1;
}

/**
 * Places `n` packed values (8 bytes each, from `p`) into the day arrays. Returns the end
 * position, DUPLICATE when two values share a slot, BAD_SLOT for a slot out of range.
 * The hot loop of the fast path: small values stay small integers, so no number is boxed.
 */
function placeLatestOnly(buf: Buffer, p: number, n: number, slots: number, seen: Uint8Array, dayReads: DayArray[]): number {
  for (let k = 0; k < n; k++, p += 8) {
    const lo = buf[p]! | (buf[p + 1]! << 8) | (buf[p + 2]! << 16) | (buf[p + 3]! << 24);
    const hi = buf[p + 4]! | (buf[p + 5]! << 8) | (buf[p + 6]! << 16) | (buf[p + 7]! << 24);
    const slot = hi >>> HIGH_SLOT_SHIFT;
    if (slot >= slots) return BAD_SLOT;
    if (seen[slot] === 1) return DUPLICATE;
    seen[slot] = 1;
    const day = (slot / INTERVALS_PER_DAY) | 0;
    const reads = dayReads[day] ?? (dayReads[day] = NULL_DAY.slice());
    const high = hi & HI_VALUE_MASK;
    reads[slot - day * INTERVALS_PER_DAY] = high === 0 && lo > 0 ? lo - 1 : high === 0 && lo === 0 ? null : high * 2 ** 32 + (lo >>> 0) - 1;
  }
  return p;
}

/** Like placeLatestOnly for elements (packed, received_at_ms, batch_id): the latest version of each slot wins. */
function placeWithVersions(buf: Buffer, p: number, n: number, slots: number, seen: Uint8Array, dayReads: DayArray[], v: { receivedAt: Float64Array; batchAt: Int32Array; batchLength: Int32Array }): number {
  for (let k = 0; k < n; k++) {
    if (p + 17 > buf.length) return TRUNCATED;
    const lo = buf.readUInt32LE(p);
    const hi = buf.readUInt32LE(p + 4);
    const receivedAt = buf.readUInt32LE(p + 8) + buf.readUInt32LE(p + 12) * 2 ** 32;
    const length = varint(buf, p + 16);
    if (length === TRUNCATED) return TRUNCATED;
    if (length === TOO_LONG) return BAD_SLOT;
    const start = varintEnd(buf, p + 16);
    p = start + length;
    if (p > buf.length) return TRUNCATED;
    const slot = hi >>> HIGH_SLOT_SHIFT;
    if (slot >= slots) return BAD_SLOT;
    if (seen[slot] === 1) {
      const stored = v.receivedAt[slot]!;
      const later = receivedAt !== stored ? receivedAt > stored
        : Buffer.compare(buf.subarray(start, start + length), buf.subarray(v.batchAt[slot]!, v.batchAt[slot]! + v.batchLength[slot]!)) > 0;
      if (!later) continue;
    }
    seen[slot] = 1;
    v.receivedAt[slot] = receivedAt;
    v.batchAt[slot] = start;
    v.batchLength[slot] = length;
    const day = (slot / INTERVALS_PER_DAY) | 0;
    const reads = dayReads[day] ?? (dayReads[day] = NULL_DAY.slice());
    const value = (hi & HI_VALUE_MASK) * 2 ** 32 + lo - 1;
    reads[slot - day * INTERVALS_PER_DAY] = value < 0 ? null : value;
  }
  return p;
}
