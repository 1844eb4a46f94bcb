/**
 * meter-batches.v1 and dead-letter.v1 records → the rows of the ClickHouse tables. Pure:
 * the adapters decode Avro before and encode for ClickHouse after. A record that cannot be
 * stored faithfully (a value outside the column's range, a batch on another tenant's topic)
 * becomes a dead-letter row with a code, so nothing is dropped and one bad record cannot
 * stall the insert path.
 */
import type { PublicRead } from '@ies/verify';

/** meter-batches.v1 as decoded (schemas-avro/meter-batch.v1.avsc; timestamps are epoch ms). */
export interface MeterBatchRecord {
  batchId: string;
  discomId: string;
  headEndId: string;
  receivedAt: number;
  reads: readonly IntervalRead[];
}

/** A read as the batch record carries it: the public read (@ies/verify) without its DISCOM, which the batch names. */
export type IntervalRead = Omit<PublicRead, 'discomId'>;

/** dead-letter.v1 as decoded (schemas-avro/dead-letter.v1.avsc). */
export interface DeadLetterRecord {
  sourceId: string;
  discomId: string;
  stage: string;
  code: string;
  message: string;
  rejectedAt: number;
  payload: Uint8Array | null;
  context: Readonly<Record<string, string>>;
}

/** One row of `reads` (and, through its materialized view, of `reads_by_batch`). */
export interface ReadRow {
  discomId: string;
  meterId: string;
  /** Block start in epoch seconds (a ClickHouse DateTime). */
  blockStartSec: number;
  channel: 'IMPORT' | 'EXPORT';
  wh: number;
  validationStatus: string;
  source: string;
  batchId: string;
  indexInBatch: number;
  headEndId: string;
  receivedAtMs: number;
}

/** One row of `dead_letters`. */
export interface DeadLetterRow {
  discomId: string;
  sourceId: string;
  stage: string;
  code: string;
  message: string;
  rejectedAtMs: number;
  batchId: string;
  meterId: string;
  contextKeys: string[];
  contextValues: string[];
  payload: Uint8Array | null;
}

/** A row, or the dead letter that replaces it when the record cannot be stored faithfully. */
export type Refusable<R> = { row: R; refused?: undefined } | { row?: undefined; refused: DeadLetterRow };

/** `stage` of dead letters the loader writes itself. */
export const LOADER_STAGE = 'loader';

const BLOCK_MS = 15 * 60 * 1000;
/** ClickHouse DateTime is a UInt32 of seconds: 1970-01-01 to 2106-02-07. */
const MAX_DATETIME_MS = (2 ** 32 - 1) * 1000;

export interface BatchRows {
  reads: ReadRow[];
  deadLetters: DeadLetterRow[];
}

/**
 * The rows of one batch found on `topicTenant`'s topic. Index in batch = position in
 * `reads`, the order the notary's batch tree uses.
 */
export function rowsOfBatch(batch: MeterBatchRecord, topicTenant: string): BatchRows {
  const refused = batchRefusal(batch, topicTenant);
  if (refused !== undefined) return { reads: [], deadLetters: [refused] };
  const reads: ReadRow[] = [];
  const deadLetters: DeadLetterRow[] = [];
  for (let i = 0; i < batch.reads.length; i += 1) {
    const r = batch.reads[i] as IntervalRead;
    const refusedRead = readRefusal(batch, topicTenant, i);
    if (refusedRead !== undefined) {
      deadLetters.push(refusedRead);
      continue;
    }
    reads.push({
      discomId: batch.discomId,
      meterId: r.meterId,
      blockStartSec: r.blockStart / 1000,
      channel: r.channel,
      wh: r.wh,
      validationStatus: r.validationStatus,
      source: r.source,
      batchId: batch.batchId,
      indexInBatch: i,
      headEndId: batch.headEndId,
      receivedAtMs: batch.receivedAt,
    });
  }
  return { reads, deadLetters };
}

/** Why no read of the batch can be stored (another tenant's batch, a bad receivedAt), as a dead letter. */
export function batchRefusal(batch: MeterBatchRecord, topicTenant: string): DeadLetterRow | undefined {
  if (batch.discomId !== topicTenant) {
    return loaderDeadLetter(topicTenant, batch.batchId, 'IES_ERR_TENANT_FORBIDDEN', `batch ${batch.batchId} names DISCOM ${batch.discomId} but arrived on ${topicTenant}'s topic`, batch.receivedAt, { batchId: batch.batchId });
  }
  if (!Number.isSafeInteger(batch.receivedAt) || batch.receivedAt < 0) {
    return loaderDeadLetter(topicTenant, batch.batchId, 'IES_ERR_VEE_MALFORMED', `batch ${batch.batchId} receivedAt ${batch.receivedAt} is not a non-negative epoch millisecond`, 0, { batchId: batch.batchId });
  }
  return undefined;
}

/** Why read `i` of an accepted batch cannot be stored faithfully, as a dead letter; undefined when it can. */
export function readRefusal(batch: MeterBatchRecord, topicTenant: string, i: number): DeadLetterRow | undefined {
  const r = batch.reads[i] as IntervalRead;
  const problem = readProblem(r);
  if (problem === undefined) return undefined;
  return loaderDeadLetter(topicTenant, `${batch.batchId}#${i}`, problem.code, `batch ${batch.batchId} read ${i}: ${problem.message}`, batch.receivedAt, { batchId: batch.batchId, index: String(i), meterId: r.meterId });
}

/**
 * Whether a read's block start and energy fit their columns: exactly when readRefusal finds
 * nothing (the loader's Avro → RowBinary path checks reads with this, without objects).
 */
export function isStorableRead(blockStart: number, wh: number): boolean {
  return Number.isSafeInteger(blockStart) && blockStart >= 0 && blockStart <= MAX_DATETIME_MS && blockStart % BLOCK_MS === 0 && Number.isSafeInteger(wh);
}

function readProblem(r: IntervalRead): { code: 'IES_ERR_VEE_BLOCK_MISALIGNED' | 'IES_ERR_VEE_MALFORMED'; message: string } | undefined {
  if (!Number.isSafeInteger(r.blockStart) || r.blockStart < 0 || r.blockStart > MAX_DATETIME_MS) {
    return { code: 'IES_ERR_VEE_MALFORMED', message: `block start ${r.blockStart} is outside 1970-01-01…2106-02-07 (epoch ms)` };
  }
  if (r.blockStart % BLOCK_MS !== 0) {
    return { code: 'IES_ERR_VEE_BLOCK_MISALIGNED', message: `block start ${new Date(r.blockStart).toISOString()} is not on a 15-minute boundary` };
  }
  if (!Number.isSafeInteger(r.wh)) return { code: 'IES_ERR_VEE_MALFORMED', message: `wh ${r.wh} is not a safe integer` };
  return undefined;
}

/** A dead-letter.v1 record as a row; its context's batchId and meterId become columns. */
export function rowOfDeadLetter(record: DeadLetterRecord, topicTenant: string): DeadLetterRow {
  const keys = Object.keys(record.context).sort();
  return {
    // The topic decides the tenant: a record naming another DISCOM stays in this one's rows.
    discomId: topicTenant,
    sourceId: record.sourceId,
    stage: record.stage,
    code: record.code,
    message: record.message,
    rejectedAtMs: Number.isSafeInteger(record.rejectedAt) && record.rejectedAt >= 0 ? record.rejectedAt : 0,
    batchId: record.context.batchId ?? '',
    meterId: record.context.meterId ?? '',
    contextKeys: keys,
    contextValues: keys.map((k) => record.context[k] as string),
    payload: record.payload,
  };
}

/** A record the loader could not decode at all, kept with its bytes. */
export function undecodableRow(topicTenant: string, sourceId: string, code: string, message: string, payload: Uint8Array | null, atMs: number): DeadLetterRow {
  return { ...loaderDeadLetter(topicTenant, sourceId, code, message, atMs, {}), payload };
}

export function loaderDeadLetter(discomId: string, sourceId: string, code: string, message: string, atMs: number, context: Record<string, string>): DeadLetterRow {
  const keys = Object.keys(context).sort();
  return {
    discomId,
    sourceId,
    stage: LOADER_STAGE,
    code,
    message,
    rejectedAtMs: atMs,
    batchId: context.batchId ?? '',
    meterId: context.meterId ?? '',
    contextKeys: keys,
    contextValues: keys.map((k) => context[k] as string),
    payload: null,
  };
}
