// Filling read_days (migration 0018) with the reads stored before its view existed, then
// marking it whole. Until the mark, @ies/reads answers history from `reads`: a reader never
// trusts a read_days that may lack rows.
//
// Why not in the migration: ClickHouse fixes an INSERT's views when the INSERT starts, so an
// INSERT into `reads` begun just before the view was created and committed after a copy
// began would be in neither. The copy therefore starts once every INSERT begun before the
// view has ended: at least settleMs after the view's creation (ClickHouse's clock), and only
// when no INSERT into reads older than the view is still running on the server. It runs one
// IST day of reads per statement, so no statement grows with the table, and records each
// day done (read_days_copied), so a copy cut short resumes where it stopped. Two loaders
// copying at once may both copy a day: its cells are then there twice, and agree.
import { createClickHouse, sql, type ClickHouseClient } from '@ies/clickhouse';
import type { Config } from '@ies/config';
import { IesError } from '@ies/errors';
import { DAY_MS, IST_OFFSET_MS, istDayStartMs } from '@ies/units';
import { sleep } from './retry.js';

/** The least wait after the view's creation: the loader's INSERTs take seconds; running ones are checked besides. */
export const DEFAULT_SETTLE_MS = 120_000;
/** How long a day's copy may go without a progress header (they come every 10 s). */
const SILENCE_MS = 600_000;
/** Poll for running INSERTs older than the view this often. */
const POLL_MS = 5_000;
/** IST day indexes (@ies/units) in SQL: ⌊(UTC seconds + IST offset) / day⌋. */
const IST_OFFSET_SECONDS = IST_OFFSET_MS / 1000;
const DAY_SECONDS = DAY_MS / 1000;

/** Seconds since read_days_mv was created (ClickHouse's clock), as column `age`; no row before migration 0018. */
export function readDaysViewAgeQuery(): string {
  return "SELECT toInt64(now()) - toInt64(metadata_modification_time) AS age FROM system.tables WHERE database = currentDatabase() AND name = 'read_days_mv'";
}

/** INSERTs into reads still running that started before the view existed (older than `ageSeconds`), as column `n`. */
export function insertsOlderThanQuery(ageSeconds: number): string {
  // Wider than needed on purpose (reads_by_batch, a copy FROM reads): waiting longer is safe.
  return sql`SELECT count() AS n FROM system.processes WHERE elapsed >= ${ageSeconds} AND lower(query) LIKE '%insert into%reads%'`;
}

/** The IST days already copied, as column `ist_day`. */
export function copiedDaysQuery(): string {
  return 'SELECT DISTINCT ist_day FROM read_days_copied';
}

/** Records IST day `day` as copied. */
export function markDayCopiedQuery(day: number): string {
  return sql`INSERT INTO read_days_copied (ist_day, copied_at) VALUES (${day}, now())`;
}

/** Whether the copy is done: the number of marks, as column `n`. */
export function readDaysMarksQuery(): string {
  return 'SELECT count() AS n FROM read_days_backfill';
}

/** The IST days `reads` covers, as columns `first` and `last` (IST day indexes; both 0 when it is empty). */
export function readsDaysQuery(): string {
  return `SELECT toUInt32(intDiv(toUInt32(min(block_start)) + ${IST_OFFSET_SECONDS}, ${DAY_SECONDS})) AS first, toUInt32(intDiv(toUInt32(max(block_start)) + ${IST_OFFSET_SECONDS}, ${DAY_SECONDS})) AS last, count() AS n FROM reads`;
}

/**
 * Copies IST day `day`'s rows of `reads` into read_days, one cell per row: the cells
 * read_days_mv makes (migration 0018), without its GROUP BY, so memory does not grow with the
 * day; merges gather them. A row the view also wrote becomes an equal cell, which agrees.
 */
export function copyReadDayQuery(day: number): string {
  const from = Math.max(0, istDayStartMs(day) / 1000);
  return `INSERT INTO read_days SELECT discom_id, meter_id, channel, toUInt16(intDiv(toUInt32(block_start) + ${IST_OFFSET_SECONDS}, ${DAY_SECONDS})) AS ist_day,`
    + ` arrayReduce('groupArrayState', [toUInt64(intDiv((toUInt32(block_start) + ${IST_OFFSET_SECONDS}) % ${DAY_SECONDS}, 900) * 1099511627776`
    + " + transform(validation_status, ['VALID', 'ESTIMATED', 'MANUAL', 'SUSPECT', 'REJECTED'], [1, 2, 3, 4, 5], 7) * 137438953472"
    + ' + if(wh >= 0 AND wh <= 68719476736, wh + 1, 0))]) AS cells'
    + sql` FROM reads WHERE block_start >= toDateTime(${from}) AND block_start < toDateTime(${from + DAY_SECONDS})`;
}

/** The mark that read_days is whole. */
export function markReadDaysWholeQuery(days: number): string {
  return sql`INSERT INTO read_days_backfill (finished_at, days) VALUES (now(), ${days})`;
}

export interface BackfillOptions {
  /** Wait at least this long after the view's creation before copying (DEFAULT_SETTLE_MS). */
  readonly settleMs?: number;
  readonly signal?: AbortSignal;
  /** Progress: called after each day copied (days copied by an earlier run count as done). */
  readonly onDay?: (done: number, of: number) => void;
}

export interface BackfillResult {
  /** True when read_days was already marked whole: nothing was copied. */
  readonly alreadyWhole: boolean;
  /** IST days of reads, and how many of them this run copied (the rest an earlier run did). */
  readonly days: number;
  readonly copied: number;
}

/**
 * Makes read_days whole: waits until every INSERT into reads begun before read_days_mv has
 * ended, copies the IST days of `reads` not copied yet, one per statement, then marks it.
 * Once marked, nothing happens; a copy cut short (a crash, a stop) resumes at its next run.
 */
export async function backfillReadDays(config: Config, options: BackfillOptions = {}): Promise<BackfillResult> {
  const signal = options.signal;
  // A day's INSERT may run long: progress headers keep the connection alive, and an error
  // after them arrives in the body, which copy() therefore reads.
  const ch = createClickHouse(config, { requestTimeoutMs: SILENCE_MS });
  const ask = async <T>(query: string) => (await ch.query({ query, format: 'JSONEachRow', ...(signal === undefined ? {} : { abort_signal: signal }) })).json<T>();
  const number = async (query: string, column: string) => {
    const [row] = await ask<Record<string, number | string>>(query);
    return row === undefined ? undefined : Number(row[column]);
  };
  try {
    if (((await number(readDaysMarksQuery(), 'n')) ?? 0) > 0) return { alreadyWhole: true, days: 0, copied: 0 };
    for (;;) {
      const age = await number(readDaysViewAgeQuery(), 'age');
      if (age === undefined) throw new IesError('IES_ERR_MIGRATION_FAILED', 'read_days_mv does not exist: apply the loader\'s migrations first');
      const waitMs = (options.settleMs ?? DEFAULT_SETTLE_MS) - age * 1000;
      if (waitMs <= 0 && ((await number(insertsOlderThanQuery(age), 'n')) ?? 0) === 0) break;
      await sleep(Math.max(POLL_MS, waitMs), signal);
      signal?.throwIfAborted();
    }
    const [range] = await ask<{ first: number | string; last: number | string; n: number | string }>(readsDaysQuery());
    const days = Number(range?.n ?? 0) === 0 ? [] : Array.from({ length: Number(range!.last) - Number(range!.first) + 1 }, (_, i) => Number(range!.first) + i);
    const done = new Set((await ask<{ ist_day: number | string }>(copiedDaysQuery())).map((r) => Number(r.ist_day)));
    let copied = 0;
    for (const [i, day] of days.entries()) {
      signal?.throwIfAborted();
      if (!done.has(day)) {
        await copy(ch, copyReadDayQuery(day), signal);
        await ch.command({ query: markDayCopiedQuery(day) });
        copied++;
      }
      options.onDay?.(i + 1, days.length);
    }
    await ch.command({ query: markReadDaysWholeQuery(days.length) });
    return { alreadyWhole: false, days: days.length, copied };
  } finally {
    await ch.close();
  }
}

/** Runs an INSERT … SELECT and reads its answer: empty on success, the error's text otherwise. */
async function copy(ch: ClickHouseClient, query: string, signal?: AbortSignal): Promise<void> {
  const { stream } = await ch.exec(signal === undefined ? { query } : { query, abort_signal: signal });
  const chunks: Buffer[] = [];
  for await (const chunk of stream as AsyncIterable<Buffer>) chunks.push(chunk);
  const text = Buffer.concat(chunks).toString('utf8').trim();
  if (text.length > 0) throw new IesError('IES_ERR_DEPENDENCY_UNAVAILABLE', `copying reads into read_days failed: ${text.slice(0, 500)}`);
}
