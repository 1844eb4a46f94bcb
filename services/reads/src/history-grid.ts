import { literal, type ClickHouseClient } from '@ies/clickhouse';
import { IesError } from '@ies/errors';
import { BLOCKS_PER_DAY, decodeHistoryRows, decodeReadDays, emptyHistoryRows, historyDaysOfRow, type HistoryDays, type HistoryRows, type ReadDaysDecoding } from './history-decode.js';
import { istDayIndexOf, istDayStartMs } from '@ies/units';
import { packedHistoryQuery, READ_DAY_MAX_WH, READ_DAY_STATUS_CODES, readDaysQuery, readDaysWholeQuery, type Channel } from './queries.js';

/** A checked history request: the caller (dr's loadMeterHistory) validates days and limits. */
export interface HistoryGridSpec {
  readonly discomId: string;
  readonly channel: Channel;
  readonly usable: readonly string[];
  readonly maxWh: number;
  /** UTC seconds of 00:00 IST of the first day, and of the day after the last. */
  readonly fromSec: number;
  readonly toSec: number;
  /** The IST dates of the range, in order (slot 96·d… belongs to dates[d]). */
  readonly dates: readonly string[];
  readonly meterIds: readonly string[];
  readonly metersPerQuery: number;
  readonly concurrency: number;
  readonly signal?: AbortSignal;
}

/** An IST day has no daylight saving: always 86,400 s. */
const DAY_SECONDS = 86_400;

/** Bytes of meter-id literals per query; ClickHouse's max_query_size defaults to 262,144. */
const ID_LIST_BUDGET = 200_000;

/**
 * The latest version of each read — the one with the greatest (received_at_ms, batch_id) —
 * per meter, block and channel, as IST days of 96 values. Every meter asked for is in the
 * answer, with no days when it has no reads.
 */
export async function loadHistoryGrid(ch: ClickHouseClient, spec: HistoryGridSpec): Promise<Map<string, HistoryDays>> {
  const result = new Map<string, HistoryDays>();
  for (const id of spec.meterIds) result.set(id, new Map());
  await loadHistoryRows(ch, spec, (rows) => {
    for (let r = 0; r < rows.meterIds.length; r++) result.set(rows.meterIds[r]!, historyDaysOfRow(rows, r));
  });
  return result;
}

/**
 * The same history a chunk of meters at a time, as typed grids (HistoryRows): one query per
 * chunk (sorted ids) on read_days, the meter-days' cells (or on `reads` itself, a row per
 * read, when the request is not one read_days answers: readDaysDecoding); a meter with two
 * different values for a block (a revision) is loaded again from `reads` with each row's
 * version, over the days where that happened, and resolved in the decoder before its chunk
 * is handed on. `consume` gets every meter asked
 * for exactly once, in chunks, and must not keep `rows`: its arrays are reused for a later
 * chunk, so it copies what it needs before it returns.
 */
export async function loadHistoryRows(ch: ClickHouseClient, spec: HistoryGridSpec, consume: (rows: HistoryRows) => void): Promise<void> {
  const query = (meterIds: readonly string[], withVersions: boolean) => packedHistoryQuery({ ...spec, meterIds, withVersions });
  // read_days answers once the loader has marked it whole, and only what its cells can say.
  const decoding = readDaysDecoding(spec);
  const cells = decoding !== null && (await readDaysWhole(ch, spec.signal)) ? decoding : null;
  const chunks = chunksOf([...spec.meterIds].sort(), spec.metersPerQuery);
  // One grid per query in flight, reused chunk after chunk: no large allocation per chunk.
  const longest = Math.max(0, ...chunks.map((c) => c.length));
  const free: HistoryRows[] = [];
  await inPool(chunks, spec.concurrency, async (ids) => {
    const grid = free.pop() ?? emptyHistoryRows(Array.from({ length: longest }, () => ''), spec.dates);
    const rows: HistoryRows = { meterIds: ids, dates: spec.dates, values: grid.values.subarray(0, ids.length * spec.dates.length * BLOCKS_PER_DAY), present: grid.present.subarray(0, ids.length * spec.dates.length).fill(0) };
    try {
      const rowOf = new Map<string, number>();
      for (let r = 0; r < ids.length; r++) rowOf.set(ids[r]!, r);
      // Meters with two rows for a block are asked again withVersions, only over the days where that happened.
      const revised: number[] = [];
      let firstDay = spec.dates.length;
      let lastDay = -1;
      const flagged = new Uint8Array(ids.length);
      const flag = (r: number, first: number, last: number) => {
        if (flagged[r] === 0) revised.push(r);
        flagged[r] = 1;
        firstDay = Math.min(firstDay, first);
        lastDay = Math.max(lastDay, last);
      };
      if (cells === null) await fetchChunk(ch, query(ids, false), spec.signal, (stream) => decodeHistoryRows(stream, rows, rowOf, false, flag));
      else {
        const range = { discomId: spec.discomId, channel: spec.channel, meterIds: ids, fromDay: cells.firstDay, toDay: cells.firstDay + spec.dates.length - 1 };
        await fetchChunk(ch, readDaysQuery(range), spec.signal, (stream) => decodeReadDays(stream, rows, rowOf, cells, (r, day) => flag(r, day, day)));
      }
      if (revised.length > 0) {
        const days = spec.dates.length;
        for (const r of revised) rows.values.fill(NaN, (r * days + firstDay) * BLOCKS_PER_DAY, (r * days + lastDay + 1) * BLOCKS_PER_DAY);
        const revisedIds = revised.map((r) => ids[r]!);
        const revisedRowOf = new Map(revised.map((r) => [ids[r]!, r]));
        const range = { fromSec: spec.fromSec + firstDay * DAY_SECONDS, toSec: spec.fromSec + (lastDay + 1) * DAY_SECONDS };
        const versioned = packedHistoryQuery({ ...spec, ...range, meterIds: revisedIds, withVersions: true });
        await fetchChunk(ch, versioned, spec.signal, (stream) => decodeHistoryRows(stream, rows, revisedRowOf, true, () => {}, { first: firstDay, count: lastDay - firstDay + 1 }));
      }
      consume(rows);
    } finally {
      free.push(grid);
    }
  });
}

/**
 * How read_days answers `spec`, or null when it cannot and `reads` is asked instead: the
 * range must be whole IST days, every usable status one a cell encodes, and maxWh within what
 * a cell carries.
 */
export function readDaysDecoding(spec: HistoryGridSpec): ReadDaysDecoding | null {
  const firstDay = istDayIndexOf(spec.fromSec * 1000);
  if (istDayStartMs(firstDay) !== spec.fromSec * 1000 || spec.toSec - spec.fromSec !== spec.dates.length * DAY_SECONDS || spec.maxWh > READ_DAY_MAX_WH) return null;
  let usableCodes = 0;
  for (const status of spec.usable) {
    const code = Object.hasOwn(READ_DAY_STATUS_CODES, status) ? READ_DAY_STATUS_CODES[status] : undefined;
    if (code === undefined) return null;
    usableCodes |= 1 << code;
  }
  return { firstDay, usableCodes, maxWh: spec.maxWh };
}

/** Whether the loader has marked read_days whole; until then `reads` answers. */
async function readDaysWhole(ch: ClickHouseClient, signal: AbortSignal | undefined): Promise<boolean> {
  let whole = false;
  await fetchChunk(ch, `${readDaysWholeQuery()} FORMAT TSV`, signal, async (stream) => {
    let text = '';
    for await (const chunk of stream) text += chunk.toString('utf8');
    whole = Number(text.trim()) > 0;
  });
  return whole;
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
