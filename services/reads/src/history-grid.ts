import { literal, type ClickHouseClient } from '@ies/clickhouse';
import { IesError } from '@ies/errors';
import { decodeHistory, type HistoryDays } from './history-decode.js';
import { packedHistoryQuery, type Channel } from './queries.js';

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

/** Bytes of meter-id literals per query; ClickHouse's max_query_size defaults to 262,144. */
const ID_LIST_BUDGET = 200_000;

/**
 * The latest version of each read — the one with the greatest (received_at_ms, batch_id) —
 * per meter, block and channel, as IST days of 96 values. One query per chunk of meters;
 * a meter with two rows for a block (a revision, or a redelivered batch not merged yet) is
 * loaded again with each row's version and resolved in the decoder. Every meter asked for
 * is in the answer, with no days when it has no reads.
 */
export async function loadHistoryGrid(ch: ClickHouseClient, spec: HistoryGridSpec): Promise<Map<string, HistoryDays>> {
  const result = new Map<string, HistoryDays>();
  for (const id of spec.meterIds) result.set(id, new Map());
  const revised: string[] = [];
  const query = (meterIds: readonly string[], withVersions: boolean) => packedHistoryQuery({ ...spec, meterIds, withVersions });
  await inPool(chunksOf([...spec.meterIds].sort(), spec.metersPerQuery), spec.concurrency, (ids) =>
    fetchChunk(ch, query(ids, false), spec.signal, (stream) => decodeHistory(stream, spec, new Set(ids), false, (meterId, days) => {
      if (days === null) revised.push(meterId);
      else result.set(meterId, days);
    })));
  await inPool(chunksOf(revised.sort(), spec.metersPerQuery), spec.concurrency, (ids) =>
    fetchChunk(ch, query(ids, true), spec.signal, (stream) => decodeHistory(stream, spec, new Set(ids), true, (meterId, days) => result.set(meterId, days!))));
  return result;
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
