import { sql, type ClickHouseClient } from '@ies/clickhouse';

/** What a data engineer searches dead letters by; every member optional but the tenant. */
export interface DeadLetterFilter {
  readonly discomId: string;
  readonly stage?: string;
  readonly code?: string;
  /** A head-end's batches: batch ids are `<head-end id>:<jti>`, or the context names the head-end. */
  readonly headEndId?: string;
  /** Rejected at or after (epoch ms). */
  readonly fromMs?: number;
  /** Rejected before (epoch ms). */
  readonly toMs?: number;
  readonly limit: number;
}

/**
 * Dead letters of a tenant, newest first, folded per (source, stage, code) as the table's
 * ReplacingMergeTree would (GROUP BY rather than FINAL: the same answer before a merge, and
 * 18.16-safe). The payload is counted, not sent: a batch can be megabytes.
 */
export function deadLettersQuery(f: DeadLetterFilter): string {
  const where = [sql`discom_id = ${f.discomId}`];
  if (f.stage !== undefined) where.push(sql`stage = ${f.stage}`);
  if (f.code !== undefined) where.push(sql`code = ${f.code}`);
  if (f.fromMs !== undefined) where.push(sql`rejected_at_ms >= ${f.fromMs}`);
  if (f.toMs !== undefined) where.push(sql`rejected_at_ms < ${f.toMs}`);
  if (f.headEndId !== undefined) {
    const prefix = `${f.headEndId}:`;
    where.push(sql`(substring(batch_id, 1, ${Buffer.byteLength(prefix)}) = ${prefix} OR context_values[indexOf(context_keys, 'headEndId')] = ${f.headEndId})`);
  }
  // Aliases differ from column names: 18.16 would resolve a column inside argMax to a
  // same-named alias and refuse the nested aggregate.
  return `SELECT source_id, stage, code, argMax(message, rejected_at_ms) AS last_message, max(rejected_at_ms) AS last_rejected_at_ms,
  argMax(batch_id, rejected_at_ms) AS last_batch_id, argMax(meter_id, rejected_at_ms) AS last_meter_id,
  argMax(context_keys, rejected_at_ms) AS last_context_keys, argMax(context_values, rejected_at_ms) AS last_context_values,
  argMax(length(payload), rejected_at_ms) AS payload_bytes
FROM dead_letters
WHERE ${where.join(' AND ')}
GROUP BY source_id, stage, code
ORDER BY last_rejected_at_ms DESC, source_id
LIMIT ${f.limit + 1}`;
}

/** Per head-end of a tenant: batches in its log and the last one (from the notary's receipts). */
export function headEndBatchesQuery(discomId: string): string {
  return sql`SELECT head_end_id, uniqExact(batch_id) AS batches, max(accepted_at_ms) AS last_accepted_at_ms,
  argMax(batch_id, accepted_at_ms) AS last_batch_id, argMax(read_count, accepted_at_ms) AS last_read_count, argMax(log_index, accepted_at_ms) AS last_log_index
FROM receipts
WHERE discom_id = ${discomId}
GROUP BY head_end_id
ORDER BY head_end_id`;
}

export interface DeadLetterRow { source_id: string; stage: string; code: string; last_message: string; last_rejected_at_ms: string; last_batch_id: string; last_meter_id: string; last_context_keys: string[]; last_context_values: string[]; payload_bytes: string }
export interface HeadEndRow { head_end_id: string; batches: string; last_accepted_at_ms: string; last_batch_id: string; last_read_count: string; last_log_index: string }

/** Up to limit + 1 rows (the extra one says there are more). UInt64 columns come as strings. */
export async function readDeadLetters(ch: ClickHouseClient, f: DeadLetterFilter): Promise<DeadLetterRow[]> {
  return (await ch.query({ query: deadLettersQuery(f), format: 'JSONEachRow' })).json<DeadLetterRow>();
}

export async function readHeadEndBatches(ch: ClickHouseClient, discomId: string): Promise<HeadEndRow[]> {
  return (await ch.query({ query: headEndBatchesQuery(discomId), format: 'JSONEachRow' })).json<HeadEndRow>();
}

/**
 * Per minute of [fromMs, toMs): batches in the tenant's log and their reads (receipts folded
 * per log index), and the stage lags of those whose times are known: intake → receipt stored
 * (loaded_at_ms > 0), split into intake → notarised (the receipt's Kafka timestamp) and
 * notarised → stored where notarised_at_ms > 0.
 */
export function ingestPerMinuteQuery(discomId: string, fromMs: number, toMs: number): string {
  return sql`SELECT intDiv(at_ms, 60000) * 60000 AS minute_ms, count() AS batches, sum(n) AS reads,
  countIf(loaded > 0) AS lagged, avgIf(toInt64(loaded) - toInt64(at_ms), loaded > 0) AS avg_lag_ms, maxIf(toInt64(loaded) - toInt64(at_ms), loaded > 0) AS max_lag_ms,
  countIf(notarised > 0) AS split, avgIf(toInt64(notarised) - toInt64(at_ms), notarised > 0) AS avg_notarised_ms, maxIf(toInt64(notarised) - toInt64(at_ms), notarised > 0) AS max_notarised_ms,
  avgIf(toInt64(loaded) - toInt64(notarised), notarised > 0 AND loaded > 0) AS avg_stored_ms, maxIf(toInt64(loaded) - toInt64(notarised), notarised > 0 AND loaded > 0) AS max_stored_ms
FROM (SELECT log_index, any(accepted_at_ms) AS at_ms, any(read_count) AS n, any(loaded_at_ms) AS loaded, any(notarised_at_ms) AS notarised FROM receipts
  WHERE discom_id = ${discomId} AND accepted_at_ms >= ${fromMs} AND accepted_at_ms < ${toMs} GROUP BY log_index)
GROUP BY minute_ms
ORDER BY minute_ms`;
}

/** Per minute of [fromMs, toMs) and code: dead letters (folded per source, stage and code). */
export function rejectionsPerMinuteQuery(discomId: string, fromMs: number, toMs: number): string {
  return sql`SELECT intDiv(at_ms, 60000) * 60000 AS minute_ms, dl_code AS code, count() AS rejections
FROM (SELECT source_id, stage, code AS dl_code, max(rejected_at_ms) AS at_ms FROM dead_letters
  WHERE discom_id = ${discomId} AND rejected_at_ms >= ${fromMs} AND rejected_at_ms < ${toMs} GROUP BY source_id, stage, code)
GROUP BY minute_ms, code
ORDER BY minute_ms, code`;
}

/** The distinct checkpoints the tenant's receipts carry, newest first, with the last log entry each covers. */
export function receiptCheckpointsQuery(discomId: string, limit: number): string {
  return sql`SELECT checkpoint AS note, max(log_index) AS last_index, max(accepted_at_ms) AS last_accepted_at_ms
FROM receipts
WHERE discom_id = ${discomId}
GROUP BY checkpoint
ORDER BY last_index DESC
LIMIT ${limit}`;
}

/**
 * One settlement day of a tenant ([fromSec, toSec): the IST day's blocks): its reads, when the
 * last of them was received, and when the last batch carrying one of them had its receipt
 * stored (receipts.loaded_at_ms; 0 when not recorded), for the loaded → settled lag.
 */
export function dayLoadedQuery(discomId: string, fromSec: number, toSec: number): string {
  const dayReads = sql`FROM reads WHERE discom_id = ${discomId} AND block_start >= toDateTime(${fromSec}) AND block_start < toDateTime(${toSec})`;
  // dayReads is a built fragment (its values already literals), joined as text.
  return `SELECT (SELECT count() ${dayReads}) AS reads, (SELECT uniqExact(batch_id) ${dayReads}) AS batches, (SELECT max(received_at_ms) ${dayReads}) AS last_received_ms,
  (SELECT max(loaded_at_ms) FROM receipts WHERE ${sql`discom_id = ${discomId}`} AND batch_id IN (SELECT batch_id ${dayReads})) AS last_loaded_ms`;
}

export interface DayLoadedRow { reads: string; batches: string; last_received_ms: string; last_loaded_ms: string }

export async function readDayLoaded(ch: ClickHouseClient, discomId: string, fromSec: number, toSec: number): Promise<DayLoadedRow | undefined> {
  return (await (await ch.query({ query: dayLoadedQuery(discomId, fromSec, toSec), format: 'JSONEachRow' })).json<DayLoadedRow>())[0];
}

export interface IngestMinuteRow {
  minute_ms: string; batches: string; reads: string; lagged: string; avg_lag_ms: number; max_lag_ms: string;
  split: string; avg_notarised_ms: number; max_notarised_ms: string; avg_stored_ms: number; max_stored_ms: string;
}
export interface RejectionMinuteRow { minute_ms: string; code: string; rejections: string }
export interface ReceiptCheckpointRow { note: string; last_index: string; last_accepted_at_ms: string }

export async function readIngestActivity(ch: ClickHouseClient, discomId: string, fromMs: number, toMs: number): Promise<{ ingest: IngestMinuteRow[]; rejections: RejectionMinuteRow[] }> {
  const [ingest, rejections] = await Promise.all([
    (await ch.query({ query: ingestPerMinuteQuery(discomId, fromMs, toMs), format: 'JSONEachRow' })).json<IngestMinuteRow>(),
    (await ch.query({ query: rejectionsPerMinuteQuery(discomId, fromMs, toMs), format: 'JSONEachRow' })).json<RejectionMinuteRow>(),
  ]);
  return { ingest, rejections };
}

export async function readReceiptCheckpoints(ch: ClickHouseClient, discomId: string, limit: number): Promise<ReceiptCheckpointRow[]> {
  return (await ch.query({ query: receiptCheckpointsQuery(discomId, limit), format: 'JSONEachRow' })).json<ReceiptCheckpointRow>();
}
