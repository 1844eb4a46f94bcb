#!/usr/bin/env node
// npm run bench:baseline [-- --meters 100000 --revised 5 --timeout 1200 --keep | --reuse ies_bench_dr_<hex> --compare]
// Baselines from ClickHouse against the target "100,000 enrolled meters baselined in ≤ 10 s"
// (issue 19; recorded as the "baseline" figure with recordBenchFigure):
// generates a fresh tenant's IMPORT history in `reads` (meters × 11 IST days × 96 blocks:
// an event day and its 10 like days; the loader's view also keeps it in read_days, one row of
// cells per meter-day once merged, which the history reads), then times baselineFromHistory: loadMeterHistoryChunks
// and computeBaseline (caiso-10in10, 4 intervals on the event day) chunk by chunk; --compare
// also runs the whole-history path (loadMeterHistory, then computeBaseline) and checks both
// give the same result. Everything lives in a throw-away database,
// dropped at the end (also by the watchdog), so the shared `ies` tables are never touched.
// For development, --keep leaves the generated database in place and --reuse times a kept one
// again without generating (the default, neither, is what the recorded figure uses).
import os from 'node:os';
import { createHash, randomBytes } from 'node:crypto';
import { parseArgs } from 'node:util';
import { loadConfig } from '@ies/config';
import { createClickHouse, literal, sql, untilMergesSettle, type ClickHouseClient } from '@ies/clickhouse';
import { migrateDrTables } from './migrate.js';
import { backfillReadDays } from '@ies/loader/migrations';
import { recordBenchFigure } from '@ies/observability';
import { uniqueTenant } from '@ies/testing';
import { computeBaseline } from './domain/baseline.js';
import { indiaHolidayCalendar } from './domain/calendar.js';
import { dateOfDayIndex, dayIndexOfDate, istDayStartMs } from '@ies/units';
import { loadMeterHistory } from './history.js';
import { baselineFromHistory } from './baseline-from-history.js';
import { loadPolicyRegistry } from './policies.js';

const { values: args } = parseArgs({
  options: {
    meters: { type: 'string', default: '100000' },
    revised: { type: 'string', default: '5' },
    timeout: { type: 'string', default: '1200' },
    keep: { type: 'boolean', default: false },
    reuse: { type: 'string' },
    compare: { type: 'boolean', default: false },
  },
});
const COMPARE = args.compare;
const REUSE = args.reuse;
const KEEP = args.keep || REUSE !== undefined;
const METERS = Number(args.meters);
const REVISED_PERCENT = Number(args.revised);
const TIMEOUT_S = Number(args.timeout);
if (!(Number.isSafeInteger(METERS) && METERS > 0 && METERS < 1_000_000) || !(REVISED_PERCENT >= 0 && REVISED_PERCENT <= 100) || !(TIMEOUT_S > 0)) {
  console.error('usage: bench-baseline.js [--meters 1..999999] [--revised 0..100 (% of meters with one day re-sent)] [--timeout seconds] [--keep | --reuse ies_bench_dr_<hex>] [--compare (also time the whole-history path, untimed in the figure)]');
  process.exit(2);
}
if (REUSE !== undefined && !/^ies_bench_dr_[0-9a-f]{8}$/.test(REUSE)) {
  console.error(`--reuse ${REUSE}: not a database this bench created (ies_bench_dr_<8 hex digits>)`);
  process.exit(2);
}

/** Issue 19: 100,000 meters 10-in-10 (history + baseline) in ≤ 10 s. */
const TARGET = { meters: 100_000, seconds: 10 };
const EVENT_DAY = '2026-04-08';
const LIKE_DAYS = 10;
const EVENT_START = Date.parse(`${EVENT_DAY}T18:00:00+05:30`);
const EVENT_END = Date.parse(`${EVENT_DAY}T19:00:00+05:30`);
/** Meters per INSERT … SELECT (10,000 × 11 × 96 ≈ 10.6 M rows), so no request nears the client's 60 s timeout. */
const METERS_PER_INSERT = 10_000;
const INSERTS_IN_FLIGHT = 2;
const MERGE_WAIT_MS = 300_000;

const runId = randomBytes(4).toString('hex');
const config = loadConfig({ ...process.env, IES_CLICKHOUSE_DATABASE: REUSE ?? `ies_bench_dr_${runId}`, IES_LOG_LEVEL: 'warn' });
const database = config.clickhouse.database;
let tenant = uniqueTenant('BENCH');
const queryPrefix = `bench-dr-${runId}`;
let queries = 0;
const client = createClickHouse(config);

/** Kills this run's queries and drops its database, then exits: a bench never outlives its bound. */
const watchdog = setTimeout(() => {
  console.error(`\nwatchdog: still running after ${TIMEOUT_S} s; killing this run's queries and dropping ${database}`);
  const admin = createClickHouse(config, { database: 'default' });
  const cleanup = async () => {
    await admin.command({ query: `KILL QUERY WHERE query_id LIKE ${literal(`${queryPrefix}-%`)} ASYNC` });
    if (!KEEP) await admin.command({ query: `DROP DATABASE IF EXISTS ${database}` });
  };
  void Promise.race([cleanup(), new Promise((r) => setTimeout(r, 15_000))])
    .catch((err: Error) => console.error(`watchdog cleanup failed: ${err.message}; drop ${database} by hand`))
    .finally(() => process.exit(3));
}, TIMEOUT_S * 1000);
watchdog.unref();

const command = (query: string) => client.command({ query, query_id: `${queryPrefix}-${++queries}` });
const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
const perSecond = (n: number, ms: number) => Math.round(n / (ms / 1000)).toLocaleString('en-US');

const calendar = indiaHolidayCalendar({ state: 'DL' });
/** The event day's 10 like days for a weekday event: the most recent weekdays that are not holidays. */
function likeDays(): string[] {
  const out: string[] = [];
  const event = dayIndexOfDate(EVENT_DAY)!;
  for (let k = 1; out.length < LIKE_DAYS; k++) {
    const date = dateOfDayIndex(event - k);
    if (calendar.dayType(date) === 'WEEKDAY') out.push(date);
  }
  return out;
}

/**
 * Rows for meters [from, from + count): day d of `days` (UTC start seconds), block s, a daily
 * shape scaled per meter; 1 % of the night blocks (00:00–06:00 IST) SUSPECT, 0.5 % ESTIMATED.
 * One batch per day, block and 1,000 meters, received 5 minutes after the block ends.
 */
function generate(days: readonly number[], from: number, count: number): string {
  const perMeter = days.length * 96;
  return `INSERT INTO reads (discom_id, meter_id, block_start, channel, wh, validation_status, source, batch_id, index_in_batch, head_end_id, received_at_ms)
SELECT ${literal(tenant)}, concat('MTR-', substring(toString(1000000 + m), 2)), toDateTime(t), 'IMPORT',
  toInt64(round((100 + intHash32(m) % 2000) * (0.6 + 0.4 * sin(s / 96 * pi())) + h % 40)),
  multiIf(s < 24 AND h % 100 = 0, 'SUSPECT', h % 1000 >= 995, 'ESTIMATED', 'VALID'),
  'HES', concat('B', toString(t), '-', toString(intDiv(m, 1000))), m % 1000, 'HES-BENCH', toUInt64(t + 1200) * 1000
FROM (SELECT ${from} + intDiv(number, ${perMeter}) AS m, number % 96 AS s, intHash64(number + ${from * perMeter}) AS h,
  arrayElement([${days.join(', ')}], intDiv(number % ${perMeter}, 96) + 1) + s * 900 AS t FROM numbers(${count * perMeter}))`;
}

/** The third like day of every meter m with m % 100 < percent, re-sent a day later: VALID, 3 % higher. */
function revise(day: number, from: number, count: number, percent: number): string {
  return `INSERT INTO reads (discom_id, meter_id, block_start, channel, wh, validation_status, source, batch_id, index_in_batch, head_end_id, received_at_ms)
SELECT discom_id, meter_id, block_start, channel, intDiv(wh * 103, 100), 'VALID', 'HES', concat('R', toString(toUInt32(block_start))), index_in_batch, head_end_id, received_at_ms + 86400000
FROM reads WHERE ${sql`discom_id = ${tenant}`} AND block_start >= toDateTime(${day}) AND block_start < toDateTime(${day + 86_400})
  AND meter_id >= 'MTR-${String(from).padStart(6, '0')}' AND meter_id < 'MTR-${String(from + count).padStart(6, '0')}'
  AND toUInt32(substring(meter_id, 5)) % 100 < ${percent}`;
}

async function inFlight(jobs: (() => Promise<unknown>)[], width: number): Promise<void> {
  const queue = [...jobs];
  await Promise.all(Array.from({ length: width }, async () => {
    for (let job = queue.shift(); job !== undefined; job = queue.shift()) await job();
  }));
}

async function scalar(ch: ClickHouseClient, query: string): Promise<string> {
  const rows = await (await ch.query({ query, format: 'JSONEachRow', query_id: `${queryPrefix}-${++queries}` })).json<{ v: string }>();
  return String(rows[0]?.v);
}

/** Creates the throw-away database's tables and fills them: step 1 of a run without --reuse. */
async function generateHistory(): Promise<void> {
  await migrateDrTables(config);
  // Only this bench writes to its database: read_days may be marked whole before the history is generated.
  await backfillReadDays(config, { settleMs: 0 });
  // Read proofs are not under test: without the view each generated row is written once.
  await command('DROP TABLE IF EXISTS reads_by_batch_mv');
  console.log(`ClickHouse ${await scalar(client, 'SELECT version() AS v')} at ${config.clickhouse.url}, database ${database} (${KEEP ? 'kept: --reuse ' + database : 'dropped at the end'}), tenant ${tenant}`);

  const dates = [...likeDays(), EVENT_DAY].sort();
  const dayStarts = dates.map((d) => istDayStartMs(dayIndexOfDate(d)!) / 1000);
  const rows = METERS * dates.length * 96;
  console.log(`\n1. history: ${METERS.toLocaleString('en-US')} meters × ${dates.length} IST days (${dates[0]} … ${EVENT_DAY}, weekdays without holidays) × 96 blocks = ${rows.toLocaleString('en-US')} IMPORT rows, generated server-side (INSERT … SELECT FROM numbers(), ${INSERTS_IN_FLIGHT} at a time)`);
  const g0 = performance.now();
  const slices = Array.from({ length: Math.ceil(METERS / METERS_PER_INSERT) }, (_, i) => [i * METERS_PER_INSERT, Math.min(METERS_PER_INSERT, METERS - i * METERS_PER_INSERT)] as const);
  await inFlight(slices.map(([from, count]) => () => command(generate(dayStarts, from, count))), INSERTS_IN_FLIGHT);
  const insertMs = performance.now() - g0;
  const r0 = performance.now();
  if (REVISED_PERCENT > 0) await inFlight(slices.map(([from, count]) => () => command(revise(dayStarts[2]!, from, count, REVISED_PERCENT))), INSERTS_IN_FLIGHT);
  const reviseMs = performance.now() - r0;
  const stored = Number(await scalar(client, sql`SELECT count() AS v FROM reads WHERE discom_id = ${tenant}`));
  console.log(`   inserted in ${seconds(insertMs)} (${perSecond(rows, insertMs)} rows/s); revisions (${REVISED_PERCENT} % of meters, one day each) in ${seconds(reviseMs)}; ${stored.toLocaleString('en-US')} rows stored`);
}

async function main(): Promise<void> {
  const cpus = os.cpus();
  console.log(`machine: ${cpus.length} CPU(s) (${cpus[0]?.model ?? '?'}), ${(os.totalmem() / 2 ** 30).toFixed(1)} GiB RAM, Node ${process.version}`);
  if (REUSE === undefined) await generateHistory();
  else {
    tenant = await scalar(client, 'SELECT any(discom_id) AS v FROM reads');
    const stored = Number(await scalar(client, sql`SELECT count() AS v FROM reads WHERE discom_id = ${tenant}`));
    console.log(`ClickHouse ${await scalar(client, 'SELECT version() AS v')} at ${config.clickhouse.url}, reusing database ${database} (kept), tenant ${tenant}: ${stored.toLocaleString('en-US')} rows stored`);
  }
  const dates = [...likeDays(), EVENT_DAY].sort();
  const rows = METERS * dates.length * 96;

  // Fresh inserts leave ~100 parts that ClickHouse merges in the background for a while;
  // a table in service is mostly merged, so the timing starts once the merges have stopped.
  const merges = await untilMergesSettle(client, database, MERGE_WAIT_MS);
  const parts = async (table: string) => scalar(client, sql`SELECT count() AS v FROM system.parts WHERE database = ${database} AND table = ${table} AND active`);
  const dayRows = await scalar(client, sql`SELECT count() AS v FROM read_days WHERE discom_id = ${tenant}`);
  console.log(`   background merges ${merges.settled ? 'settled' : 'still running'} after ${seconds(merges.waitedMs)}; active parts: reads ${await parts('reads')}, read_days ${await parts('read_days')} (${Number(dayRows).toLocaleString('en-US')} rows for ${(METERS * (LIKE_DAYS + 1)).toLocaleString('en-US')} meter-days)`);

  const meterIds = Array.from({ length: METERS }, (_, m) => `MTR-${String(m).padStart(6, '0')}`);
  const pack = loadPolicyRegistry().get('caiso-10in10@1');
  const h0 = performance.now();
  const { result, engineMs: baselineMs } = await baselineFromHistory(client, pack, { eventStart: EVENT_START, eventEnd: EVENT_END, calendar, meters: meterIds.map((meterId) => ({ meterId })) }, { discomId: tenant, fromDay: dates[0]!, toDay: EVENT_DAY });
  const historyMs = performance.now() - h0 - baselineMs;
  const loadAverage = os.loadavg().map((l) => l.toFixed(2)).join(' ');
  console.log(`\n2. history, chunk by chunk (loadMeterHistoryChunks; every chunk baselined as it arrives): ${seconds(historyMs)} loading (${perSecond(METERS, historyMs)} meters/s, ${perSecond(rows, historyMs)} rows/s), heap ${(process.memoryUsage().heapUsed / 2 ** 30).toFixed(2)} GiB`);
  const statuses: Record<string, number> = {};
  for (const m of result.meters) statuses[m.status] = (statuses[m.status] ?? 0) + 1;
  console.log(`3. computeBaseline caiso-10in10@1, event ${EVENT_DAY} 18:00–19:00 IST (4 intervals), summed over the chunks: ${seconds(baselineMs)} (${perSecond(METERS, baselineMs)} meters/s) ${JSON.stringify(statuses)}`);
  // Not timed: equal digests on the same data mean byte-for-byte equal baselines.
  const digest = (r: unknown) => createHash('sha256').update(JSON.stringify(r)).digest('hex').slice(0, 16);
  console.log(`   result digest sha256:${digest(result)}`);
  if (COMPARE) {
    const o0 = performance.now();
    const history = await loadMeterHistory(client, { discomId: tenant, meterIds, fromDay: dates[0]!, toDay: EVENT_DAY });
    const o1 = performance.now();
    const old = computeBaseline(pack, { eventStart: EVENT_START, eventEnd: EVENT_END, calendar, meters: meterIds.map((meterId) => ({ meterId, days: history.get(meterId)! })) });
    const o2 = performance.now();
    console.log(`   --compare, the whole-history path (loadMeterHistory, then computeBaseline): ${seconds(o2 - o0)} (history ${seconds(o1 - o0)}, engine ${seconds(o2 - o1)}), digest sha256:${digest(old)} — ${digest(old) === digest(result) ? 'the same' : 'DIFFERENT'}`);
  }

  const totalMs = historyMs + baselineMs;
  const projected = (totalMs / 1000) * (TARGET.meters / METERS);
  console.log(`\ntotal (history + baseline): ${seconds(totalMs)}, ${perSecond(METERS, totalMs)} meters/s on ${cpus.length} CPU(s) / ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB`);
  console.log(`target: ${TARGET.meters.toLocaleString('en-US')} enrolled meters baselined in ≤ ${TARGET.seconds} s → ${METERS === TARGET.meters ? '' : `projected ${projected.toFixed(1)} s, `}${projected <= TARGET.seconds ? 'MET' : 'NOT MET'} (load average ${loadAverage} when the timing ended)`);
  if (METERS === TARGET.meters && REUSE === undefined) {
    recordBenchFigure({ stage: 'baseline', metric: '100k meters 10-in-10, history + baseline (s)', value: totalMs / 1000, unit: 's', ceiling: null, target: { kind: 'at-most', value: TARGET.seconds } });
    recordBenchFigure({ stage: 'baseline', metric: 'loading the history (s)', value: historyMs / 1000, unit: 's', ceiling: null, target: null });
  }
}

try {
  await main();
} finally {
  if (KEEP) console.log(`\nkept ${database}; time it again with --reuse ${database} (drop it by hand when done)`);
  else await command(`DROP DATABASE IF EXISTS ${database}`).catch((err: Error) => console.error(`could not drop ${database}: ${err.message}`));
  await client.close();
  clearTimeout(watchdog);
}
