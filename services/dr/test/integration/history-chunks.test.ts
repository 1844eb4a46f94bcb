// The chunked, typed history path (loadMeterHistoryChunks, baselineFromHistory) against the
// local ClickHouse: a generated history for a fresh tenant in a throw-away database, with
// revisions on several days (later VALID, later SUSPECT, equal received_at_ms decided by the
// batch id), redelivered copies, missing blocks, every status, out-of-range values, another
// channel, another tenant and rows outside the days asked for. The reference answer is
// ClickHouse's own argMax over (received_at_ms, batch_id) per meter and block (@ies/reads'
// latestBlocksQuery), and the baseline computed from loadMeterHistory's whole-history answer.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { createClickHouse, literal, sql } from '@ies/clickhouse';
import { latestBlocksQuery } from '@ies/reads/queries';
import { USABLE_STATUSES } from '@ies/reads';
import { dateOfDayIndex, dayIndexOfDate, istDayStartMs } from '@ies/units';
import { stackConfig, uniqueTenant } from '@ies/testing';
import { migrateDrTables } from '../../src/migrate.js';
import { backfillReadDays } from '@ies/loader/migrations';
import { loadMeterHistory, loadMeterHistoryChunks, type HistoryDays } from '../../src/history.js';
import { baselineFromHistory } from '../../src/baseline-from-history.js';
import { computeBaseline } from '../../src/domain/baseline.js';
import { indiaHolidayCalendar } from '../../src/domain/calendar.js';
import { MAX_READ_WH } from '../../src/domain/baseline-day-reads.js';
import { loadPolicyRegistry } from '../../src/policies.js';

const database = `it_dr_${randomBytes(4).toString('hex')}`;
const config = stackConfig({ IES_CLICKHOUSE_DATABASE: database });
const ch = createClickHouse(config);
const tenant = uniqueTenant();
const other = uniqueTenant();

const FROM_DAY = '2026-02-09';
const EVENT_DAY = '2026-03-09'; // a Monday
const from = dayIndexOfDate(FROM_DAY)!;
const days = dayIndexOfDate(EVENT_DAY)! - from + 1;
const dates = Array.from({ length: days }, (_, d) => dateOfDayIndex(from + d));
const fromSec = istDayStartMs(from) / 1000;
const METERS = 300;
/** Meters asked for: all but every 50th generated one, plus two without any row, in an order that is not sorted. */
const asked = [...Array.from({ length: METERS }, (_, m) => m).filter((m) => m % 50 !== 49).map((m) => meterId(m)), 'MTR-NONE-1', 'MTR-NONE-0'].reverse();
const query = { discomId: tenant, meterIds: asked, fromDay: FROM_DAY, toDay: EVENT_DAY };

function meterId(m: number): string {
  return `MTR-${String(m).padStart(4, '0')}`;
}

const columns = 'discom_id, meter_id, block_start, channel, wh, validation_status, source, batch_id, index_in_batch, head_end_id, received_at_ms';

/** Day d, block s of meter m for every (m, d, s) the filter keeps; wh, status and batch from a hash of the row. */
function generate(discom: string, channel: string, extraDays: number, filter: string): string {
  return `INSERT INTO reads (${columns})
SELECT ${literal(discom)}, concat('MTR-', substring(toString(10000 + m), 2)), toDateTime(${fromSec} + d * 86400 + s * 900), ${literal(channel)},
  multiIf(h % 997 = 0, toInt64(${2 ** 36 + 5}), h % 991 = 0, toInt64(-3), toInt64(100 + m % 500 + s * 3 + h % 40)),
  multiIf(h % 1000 = 1, 'SUSPECT', h % 1000 = 2, 'REJECTED', h % 100 = 3, 'ESTIMATED', h % 100 = 4, 'MANUAL', 'VALID'),
  'HES', concat('B', toString(d), '-', toString(intDiv(m, 100))), m, 'HES-IT', toUInt64(${fromSec} + d * 86400 + s * 900 + 1200) * 1000
FROM (SELECT intDiv(number, ${(days + 2 * extraDays) * 96}) AS m, intDiv(number % ${(days + 2 * extraDays) * 96}, 96) - ${extraDays} AS d, number % 96 AS s, intHash64(number) AS h
  FROM numbers(${METERS * (days + 2 * extraDays) * 96})) WHERE ${filter}`;
}

/** Re-sends rows of `tenant` matching `filter` with `changes` (SQL expressions per column). */
function resend(filter: string, changes: { wh?: string; status?: string; batch?: string; received?: string }): string {
  return `INSERT INTO reads (${columns})
SELECT discom_id, meter_id, block_start, channel, ${changes.wh ?? 'wh'}, ${changes.status ?? 'validation_status'}, source, ${changes.batch ?? 'batch_id'}, index_in_batch, head_end_id, ${changes.received ?? 'received_at_ms'}
FROM reads WHERE ${sql`discom_id = ${tenant}`} AND channel = 'IMPORT' AND ${filter}`;
}

const m = 'toUInt32(substring(meter_id, 5))';
const day = `intDiv(toUInt32(block_start) - ${fromSec}, 86400)`;

before(async () => {
  await migrateDrTables(config);
  // Nothing is inserted elsewhere into this database: read_days may be marked whole at once.
  await backfillReadDays(config, { settleMs: 0 });
  // Two blocks in a thousand missing; a day either side of the range; EXPORT and another tenant beside.
  await ch.command({ query: generate(tenant, 'IMPORT', 1, 'h % 500 != 7') });
  await ch.command({ query: generate(tenant, 'EXPORT', 0, 'm % 3 = 0') });
  await ch.command({ query: generate(other, 'IMPORT', 0, 'm % 2 = 0') });
  // Revisions, each its own part: a later VALID version 3 % higher (day 2, every 7th meter);
  await ch.command({ query: resend(`${m} % 7 = 0 AND ${day} = 2`, { wh: 'intDiv(wh * 103, 100)', status: "'VALID'", batch: "concat('R', batch_id)", received: 'received_at_ms + 86400000' }) });
  // a later SUSPECT version hiding a VALID one (day 9, every third block, every 11th meter);
  await ch.command({ query: resend(`${m} % 11 = 0 AND ${day} = 9 AND toUInt32(block_start) % 2700 = 0`, { status: "'SUSPECT'", batch: "concat('S', batch_id)", received: 'received_at_ms + 3600000' }) });
  // the same received_at_ms, decided by the batch id: 'Z…' wins over 'B…', 'A…' loses (day 16, every 13th meter);
  await ch.command({ query: resend(`${m} % 13 = 0 AND ${day} = 16`, { wh: 'wh + 7', batch: "concat('Z', batch_id)" }) });
  await ch.command({ query: resend(`${m} % 13 = 0 AND ${day} = 16`, { wh: 'wh + 1000', batch: "concat('A', batch_id)" }) });
  // a batch delivered twice, not merged yet (day 5, every 17th meter).
  await ch.command({ query: resend(`${m} % 17 = 0 AND ${day} = 5 AND NOT startsWith(batch_id, 'R')`, {}) });
});

after(async () => {
  await ch.command({ query: `DROP DATABASE IF EXISTS ${database}` });
  await ch.close();
});

/** ClickHouse's answer: argMax per meter and block, in the HistoryDays form. */
async function reference(): Promise<Map<string, HistoryDays>> {
  const q = latestBlocksQuery({ discomId: tenant, channel: 'IMPORT', meterIds: asked, fromSec, toSec: fromSec + days * 86_400 });
  const rows = await (await ch.query({ query: q, format: 'JSONEachRow' })).json<{ meter_id: string; block_sec: number; latest_wh: string; latest_status: string }>();
  const result = new Map<string, HistoryDays>(asked.map((id) => [id, new Map()]));
  for (const r of rows) {
    const slot = (Number(r.block_sec) - fromSec) / 900;
    const date = dates[Math.floor(slot / 96)]!;
    const meter = result.get(r.meter_id)!;
    if (!meter.has(date)) meter.set(date, new Array<number | null>(96).fill(null));
    const wh = Number(r.latest_wh);
    meter.get(date)![slot % 96] = USABLE_STATUSES.includes(r.latest_status) && wh >= 0 && wh <= MAX_READ_WH ? wh : null;
  }
  return result;
}

/** loadMeterHistoryChunks' answer turned into the HistoryDays form (NaN → null), checking each meter comes once. */
async function fromChunks(options: { metersPerQuery?: number; concurrency?: number }): Promise<Map<string, HistoryDays>> {
  const result = new Map<string, HistoryDays>();
  await loadMeterHistoryChunks(ch, { ...query, ...options }, (chunk) => {
    chunk.meterIds.forEach((id, i) => {
      assert.ok(!result.has(id), `${id} came twice`);
      const meter: HistoryDays = new Map();
      for (const date of dates) {
        const reads = chunk.days[i]!.get(date);
        if (reads !== undefined) meter.set(date, Array.from(reads, (v) => (Number.isNaN(v) ? null : v)));
      }
      result.set(id, meter);
    });
  });
  return new Map(asked.map((id) => [id, result.get(id)!]));
}

test('the generated history has what the test is about', async () => {
  const revised = await (await ch.query({ query: sql`SELECT uniqExact(meter_id, block_start) AS blocks, count() AS n FROM reads WHERE discom_id = ${tenant} AND channel = 'IMPORT'`, format: 'JSONEachRow' })).json<{ blocks: string; n: string }>();
  assert.ok(Number(revised[0]!.n) - Number(revised[0]!.blocks) > 5_000, 'blocks with more than one row');
  const ref = await reference();
  let nulls = 0;
  for (const meter of ref.values()) for (const reads of meter.values()) nulls += reads.filter((v) => v === null).length;
  assert.ok(nulls > 1_000, 'missing and unusable values');
  assert.equal(ref.get('MTR-NONE-0')!.size, 0);
});

test('chunks of the typed grid hold the latest version of each read, as ClickHouse argMax answers', async () => {
  const expected = await reference();
  assert.deepEqual(await fromChunks({}), expected);
  assert.deepEqual(await fromChunks({ metersPerQuery: 37, concurrency: 3 }), expected);
  assert.deepEqual(await fromChunks({ metersPerQuery: 1, concurrency: 4 }), expected);
});

test('loadMeterHistory (whole history, arrays per day) gives the same answer', async () => {
  assert.deepEqual(await loadMeterHistory(ch, { ...query, metersPerQuery: 64 }), await reference());
});

test('baselineFromHistory: byte for byte the baseline computeBaseline gives on loadMeterHistory', async () => {
  const pack = loadPolicyRegistry().get('caiso-10in10@1');
  const calendar = indiaHolidayCalendar({ state: 'DL' });
  const eventStart = Date.parse(`${EVENT_DAY}T18:00:00+05:30`);
  const eventEnd = Date.parse(`${EVENT_DAY}T19:00:00+05:30`);
  const eventDays = ['2026-02-27'];
  const meters = asked.map((meterId, i) => ({ meterId, ...(i % 5 === 0 ? { eventDays } : {}) }));
  const history = await loadMeterHistory(ch, query);
  const expected = computeBaseline(pack, { eventStart, eventEnd, calendar, meters: meters.map((mt) => ({ ...mt, days: history.get(mt.meterId)! })) });
  const statuses = new Set(expected.meters.map((mt) => mt.status));
  assert.ok(statuses.has('OK') && statuses.has('INSUFFICIENT_HISTORY'), `statuses ${[...statuses].join(', ')}`);
  for (const options of [{}, { metersPerQuery: 29, concurrency: 3 }]) {
    const { result } = await baselineFromHistory(ch, pack, { eventStart, eventEnd, calendar, meters }, { discomId: tenant, fromDay: FROM_DAY, toDay: EVENT_DAY, ...options });
    assert.equal(JSON.stringify(result), JSON.stringify(expected));
  }
});
