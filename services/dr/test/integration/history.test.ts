// loadMeterHistory against the local ClickHouse: a hand-made history for a fresh tenant in a
// throw-away database (the loader's and dr's migrations, applied by migrateDrTables).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { createClickHouse, sql } from '@ies/clickhouse';
import { backfillReadDays } from '@ies/loader/migrations';
import { migrateDrTables } from '../../src/migrate.js';
import { stackConfig, uniqueTenant } from '@ies/testing';
import { loadMeterHistory, type HistoryDays } from '../../src/history.js';

const database = `it_dr_${randomBytes(4).toString('hex')}`;
const config = stackConfig({ IES_CLICKHOUSE_DATABASE: database });
const ch = createClickHouse(config);
const tenant = uniqueTenant();
const other = uniqueTenant();

// IST day 2026-03-02 is UTC [2026-03-01 18:30, 2026-03-02 18:30).
const DAY1 = Date.UTC(2026, 2, 1, 18, 30);
const DAY2 = DAY1 + 86_400_000;
const block = (dayStart: number, interval: number) => dayStart + interval * 900_000;

interface Row {
  discom?: string;
  meter: string;
  at: number;
  wh: number;
  status?: string;
  channel?: 'IMPORT' | 'EXPORT';
  batch?: string;
  received?: number;
}

const rows: Row[] = [
  { meter: 'M-1', at: DAY1 - 900_000, wh: 999 }, // 23:45 IST the day before: outside the range
  { meter: 'M-1', at: block(DAY1, 0), wh: 100 },
  // A revision: the later received version wins.
  { meter: 'M-1', at: block(DAY1, 1), wh: 10, batch: 'B-1', received: 1_000 },
  { meter: 'M-1', at: block(DAY1, 1), wh: 11, batch: 'B-2', received: 2_000 },
  // Same received_at_ms: the greater batch id wins, and that version is SUSPECT.
  { meter: 'M-1', at: block(DAY1, 2), wh: 20, batch: 'B-2', received: 3_000 },
  { meter: 'M-1', at: block(DAY1, 2), wh: 21, batch: 'B-3', received: 3_000, status: 'SUSPECT' },
  // A SUSPECT read revised to VALID.
  { meter: 'M-1', at: block(DAY1, 3), wh: 30, batch: 'B-1', received: 1_000, status: 'SUSPECT' },
  { meter: 'M-1', at: block(DAY1, 3), wh: 31, batch: 'B-0', received: 5_000 },
  { meter: 'M-1', at: block(DAY1, 4), wh: 40, status: 'REJECTED' },
  { meter: 'M-1', at: block(DAY1, 5), wh: 50, status: 'ESTIMATED' },
  { meter: 'M-1', at: block(DAY1, 6), wh: 60, status: 'MANUAL' },
  { meter: 'M-1', at: block(DAY1, 7), wh: 70, channel: 'EXPORT' },
  { meter: 'M-1', at: block(DAY1, 8), wh: 80, discom: other },
  { meter: 'M-1', at: block(DAY1, 9), wh: 2 ** 36 + 1 }, // above the engine's 2^36 Wh bound
  { meter: 'M-1', at: block(DAY1, 95), wh: 950 },
  { meter: 'M-1', at: block(DAY2, 10), wh: 5, status: 'SUSPECT' }, // a day with reads, none usable
  { meter: 'M-1', at: block(DAY2 + 86_400_000, 0), wh: 999 }, // 00:00 IST the day after: outside
  // A batch delivered twice and not merged yet: two identical rows.
  { meter: 'M-2', at: block(DAY2, 47), wh: 470, batch: 'B-9' },
  { meter: 'M-2', at: block(DAY2, 47), wh: 470, batch: 'B-9' },
  { meter: 'M-2', at: block(DAY2, 48), wh: 0 },
  { meter: 'M-4', at: block(DAY1, 0), wh: 1 }, // not asked for
];

const day = (values: Record<number, number | null>): (number | null)[] => {
  const reads: (number | null)[] = new Array<number | null>(96).fill(null);
  for (const [i, v] of Object.entries(values)) reads[Number(i)] = v;
  return reads;
};

const expected = new Map<string, HistoryDays>([
  ['M-3', new Map()],
  ['M-1', new Map([['2026-03-02', day({ 0: 100, 1: 11, 2: null, 3: 31, 4: null, 5: 50, 6: 60, 95: 950 })], ['2026-03-03', day({})]])],
  ['M-2', new Map([['2026-03-03', day({ 47: 470, 48: 0 })]])],
]);
const query = { discomId: tenant, meterIds: ['M-3', 'M-1', 'M-2'], fromDay: '2026-03-02', toDay: '2026-03-03' };

before(async () => {
  await migrateDrTables(config);
  // Nothing is inserted elsewhere into this database: read_days may be marked whole at once.
  await backfillReadDays(config, { settleMs: 0 });
  const values = rows.map((r, i) => {
    const at = new Date(r.at).toISOString().slice(0, 19).replace('T', ' ');
    return sql`(${r.discom ?? tenant}, ${r.meter}, ${at}, ${r.channel ?? 'IMPORT'}, ${r.wh}, ${r.status ?? 'VALID'}, 'HES', ${r.batch ?? 'B-1'}, ${i}, 'HES-IT', ${r.received ?? 1_000})`;
  });
  // One INSERT per row: separate parts, as rows from different batches would be.
  for (const v of values) {
    await ch.command({ query: `INSERT INTO reads (discom_id, meter_id, block_start, channel, wh, validation_status, source, batch_id, index_in_batch, head_end_id, received_at_ms) VALUES ${v}` });
  }
});

after(async () => {
  await ch.command({ query: `DROP DATABASE IF EXISTS ${database}` });
  await ch.close();
});

test('the latest version of each read, usable statuses only, within the IST days asked for', async () => {
  const history = await loadMeterHistory(ch, query);
  assert.deepEqual([...history.keys()], ['M-3', 'M-1', 'M-2'], 'every meter asked for, in the order asked');
  assert.deepEqual(history, expected);
});

test('one meter per query, four queries in flight: the same answer', async () => {
  assert.deepEqual(await loadMeterHistory(ch, { ...query, metersPerQuery: 1, concurrency: 4 }), expected);
});

test('EXPORT is a separate channel', async () => {
  const history = await loadMeterHistory(ch, { ...query, meterIds: ['M-1'], channel: 'EXPORT' });
  assert.deepEqual(history.get('M-1'), new Map([['2026-03-02', day({ 7: 70 })]]));
});

test('a bad range or a repeated meter is refused before any query', async () => {
  await assert.rejects(loadMeterHistory(ch, { ...query, fromDay: '2026-03-04' }), { code: 'IES_ERR_DR_INPUT_INVALID', message: /2026-03-04…2026-03-03 is 0 days/ });
  await assert.rejects(loadMeterHistory(ch, { ...query, meterIds: ['M-1', 'M-1'] }), { code: 'IES_ERR_DR_INPUT_INVALID', message: /M-1 is listed twice/ });
});

test('a usable status read_days has no code for is answered from reads, the same way', async () => {
  // 'VALID' alone, plus a status no cell encodes: readDaysDecoding declines and `reads` answers.
  const history = await loadMeterHistory(ch, { ...query, meterIds: ['M-1'], usableStatuses: ['VALID', 'LEGACY-OK'] });
  assert.deepEqual(history.get('M-1'), new Map([['2026-03-02', day({ 0: 100, 1: 11, 2: null, 3: 31, 95: 950 })], ['2026-03-03', day({})]]));
});

// Last: it empties read_days. Marked whole, read_days answers (empty: no days); unmarked,
// `reads` does; the loader's copy fills read_days again from reads and marks it.
test('read_days answers once marked whole, reads until then, and the loader\'s copy rebuilds it from reads', async () => {
  const cells = () => countOf('SELECT sum(length(finalizeAggregation(cells))) AS n FROM read_days');
  assert.equal(await cells(), rows.length, 'the loader\'s view made a cell of every row inserted into reads');
  await ch.command({ query: 'TRUNCATE TABLE read_days' });
  assert.deepEqual(await loadMeterHistory(ch, query), new Map([['M-3', new Map()], ['M-1', new Map()], ['M-2', new Map()]]), 'whole read_days is what answers');
  await ch.command({ query: 'TRUNCATE TABLE read_days_backfill' });
  assert.deepEqual(await loadMeterHistory(ch, query), expected, 'not marked whole: reads answers');
  // A copy stopped after its second day resumes there: the first two days are not copied again.
  await ch.command({ query: 'TRUNCATE TABLE read_days_copied' });
  const stop = new AbortController();
  await assert.rejects(backfillReadDays(config, { settleMs: 0, signal: stop.signal, onDay: (n) => { if (n === 2) stop.abort(new Error('stopping')); } }), /stopping/);
  assert.equal(await countOf('SELECT count() AS n FROM read_days_backfill'), 0, 'a copy cut short is not marked');
  const progress: number[][] = [];
  assert.deepEqual(await backfillReadDays(config, { settleMs: 0, onDay: (n, of) => progress.push([n, of]) }), { alreadyWhole: false, days: 4, copied: 2 });
  assert.deepEqual(progress, [[1, 4], [2, 4], [3, 4], [4, 4]], 'the IST days of reads, 2026-03-01…2026-03-04, one statement each');
  assert.equal(await cells(), await countOf('SELECT count() AS n FROM reads'), 'a cell per row of reads (the redelivered copy may have merged away there by now)');
  assert.deepEqual(await loadMeterHistory(ch, query), expected);
  assert.deepEqual(await backfillReadDays(config, { settleMs: 0 }), { alreadyWhole: true, days: 0, copied: 0 }, 'once whole, nothing is copied again');
});

test('the copy waits until every INSERT begun before the view has ended, and a stop cuts the wait', async () => {
  await ch.command({ query: 'TRUNCATE TABLE read_days_backfill' });
  const stop = new AbortController();
  const run = backfillReadDays(config, { settleMs: 3_600_000, signal: stop.signal });
  setTimeout(() => stop.abort(new Error('stopping')), 200);
  await assert.rejects(run, /stopping/);
  assert.equal(await countOf('SELECT count() AS n FROM read_days_backfill'), 0, 'not marked');
});

/** The column `n` of a one-row answer. */
async function countOf(query: string): Promise<number> {
  return Number((await (await ch.query({ query, format: 'JSONEachRow' })).json<{ n: string }>())[0]!.n);
}
