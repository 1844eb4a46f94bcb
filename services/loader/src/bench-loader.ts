#!/usr/bin/env node
// npm run bench:loader [-- [<insert rows> [<end-to-end rows>]] [--formats] [--split-cores]]
// What the loader's path into the local ClickHouse costs, part by part:
//   ceiling      ClickHouse alone: RowBinary encoded before the clock starts, sent over HTTP
//   insert path  decoded meter-batches.v1 records → the loader's sink → INSERTs, as the loader runs it
//   end to end   meter-batches.v1 → Kafka → Loader → ClickHouse (timed after an untimed warm-up
//                loader on the same records; batch ids shaped as the ceiling's, same bytes per row)
//   --formats    the input-format comparison that chose RowBinary (README "Insert formats")
//   --split-cores then the ceiling and end to end again, ClickHouse on CPUs of its own (the
//                upper half) and the loader, the broker and the rest on the others, as on a
//                deployment where ClickHouse has its own servers; both over the same
//                IES_BENCH_SPLIT_ROWS rows (default 6,000,000), so both pay the same merges;
//                skipped, with the reason, without 2 CPUs, taskset or the stack's ClickHouse
// The ceiling holds every INSERT body of its rows at once: about 125 B a row (0.75 GB for 6M).
// CPU per row is printed next to each rate: on a shared 2-core machine the rates move with
// other work, the CPU per row much less. End to end runs the loader with the ceiling's best
// number of INSERTs in flight (or IES_LOADER_INSERTS_IN_FLIGHT). Records "loader" end-to-end
// rows/s (0 when it timed out) against the best ceiling of the same run with recordBenchFigure,
// judged against issue 19's target (ratio ≥ 0.8) with ClickHouse on cores of its own when
// --split-cores runs, on shared cores otherwise (sharing them bounds the ratio; the bound is
// printed). Everything goes into a throw-away database and a fresh tenant, both removed afterwards.
import os from 'node:os';
import { fileURLToPath } from 'node:url';
import { performance } from 'node:perf_hooks';
import { randomBytes } from 'node:crypto';
import { loadConfig } from '@ies/config';
import { createClient } from '@clickhouse/client';
import { sql } from '@ies/clickhouse';
import { recordBenchFigure } from '@ies/observability';
import { TOPICS, topicName } from '@ies/contracts';
import { ACKS_ALL, AvroSerde, createIdempotentProducer, createKafka, ensureTenantTopics } from '@ies/kafka';
import type { MeterBatchRecord, ReadRow } from './domain/rows.js';
import { insertEncoded, untilMergesSettle } from '@ies/clickhouse';
import { DEFAULT_LOADER_OPTIONS, Loader } from './loader.js';
import { migrateLoaderTables } from './migrate.js';
import { RowBinaryWriter } from './row-binary.js';
import { READ_COLUMNS, readsCsv, readsJsonEachRow, readsTabSeparated, writeReadRowBinary, type InsertFormat } from './row-encoding.js';
import { meterBatchesSink } from './sinks/meter-batches.js';
import { parseRegistryDocument } from '@ies/registry';
import { signedFleet } from '@ies/registry/testing';
import { BatchVerifier } from '@ies/registry/verify-batch';
import { splitCores, type CoreSplit } from './bench-cores.js';

const ARGS = process.argv.slice(2);
const COUNTS = ARGS.filter((a) => !a.startsWith('--')).map(Number);
const INSERT_ROWS = COUNTS[0] ?? 2_000_000;
const E2E_ROWS = COUNTS[1] ?? 2_000_000;
const WARM_UP_ROWS = 300_000;
const FORMATS = ARGS.includes('--formats');
const SPLIT_ROWS = ARGS.includes('--split-cores') ? Number(process.env.IES_BENCH_SPLIT_ROWS ?? 6_000_000) : 0;
if (![INSERT_ROWS, E2E_ROWS, SPLIT_ROWS].every((n) => Number.isSafeInteger(n) && n >= 0)) {
  console.error(`usage: bench-loader [<insert rows> [<end-to-end rows>]] [--formats] [--split-cores] (IES_BENCH_SPLIT_ROWS a row count); got ${ARGS.join(' ')}`);
  process.exit(2);
}
const CHUNK = DEFAULT_LOADER_OPTIONS.maxRows;
const INSERTS_IN_FLIGHT = DEFAULT_LOADER_OPTIONS.maxInFlightInserts;
const READS_PER_BATCH = 1_000;
const BLOCK0 = Date.UTC(2026, 10, 20, 18, 30);
const HEAD_END = 'HES-BENCH-01';

// As the Kafka admin: the bench makes its own tenant's topics and consumes with its own group.
const config = loadConfig({ ...process.env, IES_CLICKHOUSE_DATABASE: `ies_bench_${randomBytes(4).toString('hex')}`, IES_LOG_LEVEL: 'warn' }, { principal: 'admin' });
/** The end-to-end loader's INSERTs in flight when IES_LOADER_INSERTS_IN_FLIGHT is set; otherwise the ceiling's best. */
const E2E_IN_FLIGHT = process.env.IES_LOADER_INSERTS_IN_FLIGHT ? config.loader.insertsInFlight : undefined;
const quiet = { error: (o: object, m: string) => console.error(m, o), warn: (o: object, m: string) => console.error(m, o), info() {}, debug() {} };

const FLEET = 20_000;
const BATCHES_PER_BLOCK = (FLEET * 2) / READS_PER_BATCH;
/** When the batches were accepted: after the last block any phase writes, so no read is in the future (VEE). */
const RECEIVED = BLOCK0 + (Math.ceil(Math.max(INSERT_ROWS, E2E_ROWS, SPLIT_ROWS, CHUNK) / READS_PER_BATCH / BATCHES_PER_BLOCK) + 1) * 900_000;

/**
 * A batch id shaped like the gateway's (`<head-end>:B-<uuid>`, in no particular order), so string
 * sizes and ClickHouse's sorting work are realistic. Built strings of 13+ characters are
 * V8 ropes, slow to read char by char; Avro-decoded strings are flat, so these are
 * flattened through a Buffer to measure what the loader sees.
 */
const BATCH_IDS = new Map<number, string>();
function batchId(n: number): string {
  let id = BATCH_IDS.get(n);
  if (id === undefined) {
    const scrambled = (Math.imul(n + 1, 2654435761) >>> 0).toString(16).padStart(8, '0');
    id = Buffer.from(`${HEAD_END}:${jtiOf(n, scrambled)}`, 'latin1').toString('latin1');
    BATCH_IDS.set(n, id);
  }
  return id;
}

/** The message id (jti) the head-end signed batch `n` with: its batch id is `<head-end>:<jti>`. */
function jtiOf(n: number, scrambled = (Math.imul(n + 1, 2654435761) >>> 0).toString(16).padStart(8, '0')): string {
  return `B-${scrambled}-0000-4000-8000-${n.toString(16).padStart(12, '0')}`;
}

function meterIdOf(m: number): string {
  return `MTR-${m.toString().padStart(8, '0')}`;
}

/**
 * Rows as a head-end sends them: each batch is one 15-minute block of 500 of its 20,000
 * meters, both channels; the batches of a block follow each other. So neither table's
 * sorting key matches arrival order, as in production.
 */
function chunkRows(discomId: string, from: number, n: number): ReadRow[] {
  const out: ReadRow[] = new Array(n);
  for (let i = 0; i < n; i += 1) {
    const k = from + i;
    const b = Math.floor(k / READS_PER_BATCH);
    const j = k % READS_PER_BATCH;
    const meter = (b % BATCHES_PER_BLOCK) * (READS_PER_BATCH / 2) + (j >> 1);
    out[i] = { discomId, meterId: meterIdOf(meter), blockStartSec: BLOCK0 / 1000 + Math.floor(b / BATCHES_PER_BLOCK) * 900, channel: j & 1 ? 'EXPORT' : 'IMPORT', wh: (k * 7919) % 5000, validationStatus: 'VALID', source: 'HES', batchId: batchId(b), indexInBatch: j, headEndId: HEAD_END, receivedAtMs: RECEIVED };
  }
  return out;
}

function encode(format: InsertFormat, rows: ReadRow[]): Buffer | string | object[] {
  switch (format) {
    case 'RowBinary': {
      const w = new RowBinaryWriter(rows.length * 96);
      for (const r of rows) writeReadRowBinary(w, r);
      return w.bytes();
    }
    case 'TabSeparated':
      return readsTabSeparated(rows);
    case 'CSV':
      return readsCsv(rows);
    default:
      return readsJsonEachRow(rows);
  }
}

const rate = (rows: number, ms: number) => `${Math.round(rows / (ms / 1000)).toLocaleString('en-US')} rows/s`;
const load = () => os.loadavg().map((l) => l.toFixed(2)).join(' ');

/**
 * CPU seconds of this process (all its threads) and of this benchmark's INSERTs in
 * ClickHouse (user + system time of their query threads, MV included, background merges
 * not), from system.query_log: the server is shared, so its global counters are not ours.
 */
interface CpuMark { node: number; clickhouse: number }
async function cpuMark(): Promise<CpuMark> {
  const u = process.cpuUsage();
  await client.command({ query: 'SYSTEM FLUSH LOGS' });
  const where = sql`type = 2 AND http_user_agent LIKE ${`%${BENCH_TAG}%`} AND startsWith(query, 'INSERT')`;
  const forms = [
    // 18.16: ProfileEvents as Nested arrays; current releases: a Map.
    `SELECT sum(arraySum(arrayFilter((v, n) -> n IN ('UserTimeMicroseconds', 'SystemTimeMicroseconds'), ProfileEvents.Values, ProfileEvents.Names))) AS us FROM system.query_log WHERE ${where}`,
    `SELECT sum(ProfileEvents['UserTimeMicroseconds'] + ProfileEvents['SystemTimeMicroseconds']) AS us FROM system.query_log WHERE ${where}`,
  ];
  for (const query of forms) {
    try {
      const rows = await (await client.query({ query, format: 'JSONEachRow' })).json<{ us: string }>();
      return { node: (u.user + u.system) / 1e6, clickhouse: Number(rows[0]?.us ?? 0) / 1e6 };
    } catch {
      // the other form
    }
  }
  return { node: (u.user + u.system) / 1e6, clickhouse: NaN };
}
function cpuPerRow(from: CpuMark, to: CpuMark, rows: number): string {
  const us = (s: number) => ((s * 1e6) / rows).toFixed(2);
  return `CPU/row: node ${us(to.node - from.node)} µs, ClickHouse queries ${us(to.clickhouse - from.clickhouse)} µs`;
}

console.log(`machine: ${os.cpus().length} CPU(s) (${os.cpus()[0]?.model ?? '?'}), ${(os.totalmem() / 2 ** 30).toFixed(1)} GiB RAM; node ${process.version}; load average ${load()} (other work on the machine slows every figure)`);
await migrateLoaderTables(config);
// Tagged (user agent) and logged, so cpuMark finds this run's INSERTs in system.query_log.
const BENCH_TAG = `ies-loader-bench-${randomBytes(4).toString('hex')}`;
const client = createClient({ url: config.clickhouse.url, username: config.clickhouse.username, password: config.clickhouse.password, database: config.clickhouse.database, request_timeout: 60_000, application: BENCH_TAG, clickhouse_settings: { log_queries: 1 } });
const version = await (await client.query({ query: 'SELECT version() AS v', format: 'JSONEachRow' })).json<{ v: string }>();
console.log(`ClickHouse ${version[0]?.v} at ${config.clickhouse.url}, database ${config.clickhouse.database} (dropped afterwards)`);

try {
  let best: Ceiling = { rate: 0, inFlight: INSERTS_IN_FLIGHT };
  let shared: EndToEnd | undefined;
  if (INSERT_ROWS > 0) {
    best = await ceiling(INSERT_ROWS);
    await loaderInsertPath();
    if (FORMATS) await insertPath();
  }
  if (E2E_ROWS > 0) {
    shared = await endToEnd(E2E_ROWS, best);
    printRatio(best.rate, shared.rate, 'the loader, the broker and ClickHouse share every CPU');
    // End to end, ClickHouse's and the loader's CPU per row come out of the same cores, so at
    // most cores / (both) rows/s: a bound on the ratio computed from this run's own figures
    // (the broker and ClickHouse's merges not counted, which only lowers what is reachable).
    const cores = os.availableParallelism();
    const bound = cores / ((shared.clickhouseUs + shared.nodeUs) * 1e-6 * best.rate);
    if (shared.rate > 0 && best.rate > 0 && Number.isFinite(bound)) console.log(`  sharing the cores, the ratio is at most ${cores} cores / ((ClickHouse ${shared.clickhouseUs.toFixed(2)} + loader ${shared.nodeUs.toFixed(2)} µs per row) × the ceiling's ${Math.round(best.rate).toLocaleString('en-US')} rows/s) = ${bound.toFixed(2)} (the broker and merges not counted)`);
  }
  let judgedApart = false;
  let failure: unknown;
  try {
    if (SPLIT_ROWS > 0) judgedApart = await splitCoresPass(SPLIT_ROWS);
  } catch (err) {
    failure = err;
  }
  // On shared cores the target is judged only when the pass with ClickHouse on cores of its own recorded nothing.
  if (shared !== undefined) recordRatio(best.rate, shared.rate, 'Kafka → ClickHouse end to end (rows/s)', judgedApart ? 'ClickHouse alone on every core, which end to end shares with the loader (best of 1–3 in flight; judged with ClickHouse on cores of its own)' : 'ClickHouse accepting pre-encoded RowBinary (best of 1–3 in flight)', !judgedApart);
  if (failure !== undefined) throw failure;
  console.log(`\nload average after: ${load()}`);
} finally {
  await client.command({ query: `DROP DATABASE IF EXISTS ${config.clickhouse.database}` });
  await client.close();
}

/** `count` meter-batches.v1 records of READS_PER_BATCH reads each, as the Avro decoder hands them over. */
function batchRecords(discomId: string, count: number, first = 0): MeterBatchRecord[] {
  return Array.from({ length: count }, (_, k) => first + k).map((b) => ({
    batchId: batchId(b), discomId, headEndId: HEAD_END, receivedAt: RECEIVED,
    reads: chunkRows(discomId, b * READS_PER_BATCH, READS_PER_BATCH).map((r) => ({ meterId: r.meterId, blockStart: r.blockStartSec * 1000, channel: r.channel, wh: r.wh, validationStatus: r.validationStatus, source: r.source })),
  }));
}

/** The records' rows under `discomId`, through the loader's sink, as one INSERT body. */
function encodeBody(records: MeterBatchRecord[], discomId: string): Buffer[] {
  const w = new RowBinaryWriter();
  for (const r of records) {
    r.discomId = discomId;
    meterBatchesSink.write(r, { tenant: discomId, partition: 0, offset: '0' }, w);
  }
  return w.chunks();
}

/** Encodes INSERT-sized chunks of the records through the loader's sink, each chunk under its own DISCOM id. */
function encodeChunks(records: MeterBatchRecord[], chunks: number, discomPrefix: string): Buffer[][] {
  return Array.from({ length: chunks }, (_, c) => encodeBody(records, `${discomPrefix}${c}`));
}

async function storedOnce(prefix: string): Promise<number> {
  return Number((await (await client.query({ query: sql`SELECT count() AS n FROM reads FINAL WHERE startsWith(discom_id, ${prefix})`, format: 'JSONEachRow' })).json<{ n: string }>())[0]?.n);
}

async function insertAll(bodies: Iterable<Buffer[]>, inFlight: number): Promise<void> {
  const running = new Set<Promise<void>>();
  for (const body of bodies) {
    if (running.size >= inFlight) await Promise.race(running);
    const p: Promise<void> = insertEncoded(client, 'reads', READ_COLUMNS, 'RowBinary', body).finally(() => running.delete(p));
    running.add(p);
  }
  await Promise.all(running);
}

/**
 * The ceiling and end to end again over the same rows, ClickHouse on CPUs of its own: what
 * the loader makes of a ClickHouse it does not share cores with. The broker stays on the
 * loader's side, so the loader pays for its fetches here as it would not on its own server.
 * True when it recorded its figure; false when skipped (fewer than 2 CPUs, no taskset or ClickHouse).
 */
async function splitCoresPass(rows: number): Promise<boolean> {
  let split: CoreSplit;
  try {
    split = splitCores(process.env.IES_STACK_DIR ?? fileURLToPath(new URL('../../../../.stack', import.meta.url)));
  } catch (err) {
    console.log(`\n--split-cores skipped: ${(err as Error).message}`);
    return false;
  }
  let best: Ceiling;
  let run: EndToEnd;
  try {
    console.log(`\n--split-cores: ClickHouse on CPU ${split.clickhouse}; this process, the broker, the registry and Redis on CPU ${split.others}; ceiling and end to end over the same ${rows.toLocaleString('en-US')} rows`);
    best = await ceiling(rows);
    run = await endToEnd(rows, best);
  } finally {
    split.restore();
  }
  printRatio(best.rate, run.rate, `ClickHouse on CPU ${split.clickhouse} of its own`);
  return recordRatio(best.rate, run.rate, 'Kafka → ClickHouse end to end, ClickHouse on cores of its own (rows/s)', 'ClickHouse alone on the same cores and rows (best of 1–3 in flight)', true);
}

function printRatio(ceilingRate: number, endToEndRate: number, cores: string): void {
  if (ceilingRate > 0 && endToEndRate > 0) console.log(`\nend to end / ceiling: ${(endToEndRate / ceilingRate).toFixed(2)} (target ≥ 0.8; ${cores})`);
}

/**
 * Records end to end against its ceiling for the bench summary, judged against issue 19's
 * target (ratio ≥ 0.8) when `judged`. A timed-out end to end (rate 0) is recorded as 0 rows/s,
 * so it shows as not met; false, recording nothing, when there was no ceiling.
 */
function recordRatio(ceilingRate: number, endToEndRate: number, metric: string, ceilingLabel: string, judged: boolean): boolean {
  if (!(ceilingRate > 0)) return false;
  recordBenchFigure({ stage: 'loader', metric, value: Math.round(endToEndRate), unit: 'rows/s', ceiling: Math.round(ceilingRate), ceilingLabel, target: judged ? { kind: 'ratio-at-least', value: 0.8 } : null });
  return true;
}

/**
 * The INSERT bodies of the rows the end-to-end phase stores from `rows` reads: batches 0, 1, …
 * of one DISCOM, CHUNK rows each, so ClickHouse sorts and merges the same keys in both phases.
 */
function ceilingBodies(discomId: string, rows: number): { bodies: Buffer[][]; rows: number } {
  const batches = Math.ceil(rows / READS_PER_BATCH);
  const perChunk = CHUNK / READS_PER_BATCH;
  const bodies: Buffer[][] = [];
  for (let first = 0; first < batches; first += perChunk) bodies.push(encodeBody(batchRecords(discomId, Math.min(perChunk, batches - first), first), discomId));
  return { bodies, rows: batches * READS_PER_BATCH };
}

/** ClickHouse's best rate, and how many INSERTs it ran at once to reach it. */
interface Ceiling { rate: number; inFlight: number }


/**
 * ClickHouse alone: every INSERT body is encoded before the clock starts. Its best number of
 * INSERTs in flight is what the end-to-end phase then configures its loader with
 * (IES_LOADER_INSERTS_IN_FLIGHT in a deployment): ClickHouse parses an INSERT on one core,
 * so with fewer cores than INSERTs they slow each other down.
 */
async function ceiling(rows: number): Promise<Ceiling> {
  const best: Ceiling = { rate: 0, inFlight: INSERTS_IN_FLIGHT };
  // An id as long as the end-to-end phase's tenant: the same bytes per row.
  const discomId = `BENCH-${randomBytes(4).toString('hex').toUpperCase()}`;
  const { bodies, rows: total } = ceilingBodies(discomId, rows);
  console.log(`\nceiling: ${total.toLocaleString('en-US')} rows as the end-to-end phase stores them (one DISCOM, batches 0, 1, …) pre-encoded as RowBinary (${CHUNK.toLocaleString('en-US')} rows/INSERT), only the INSERTs timed: what ClickHouse accepts into reads + its views (reads_by_batch, read_days)`);
  for (const inFlight of [1, 2, 3]) {
    await quiesce();
    const c0 = await cpuMark();
    const t0 = performance.now();
    await insertAll(bodies, inFlight);
    const ms = performance.now() - t0;
    const c1 = await cpuMark();
    const stored = await storedOnce(discomId);
    console.log(`  ${inFlight} in flight  ${rate(total, ms).padStart(16)}  ${cpuPerRow(c0, c1, total)}${stored === total ? '' : `; STORED ${stored}`}`);
    const r = total / (ms / 1000);
    if (r > best.rate) Object.assign(best, { rate: r, inFlight });
  }
  return best;
}

/** The loader's insert path: decoded records are encoded by its sink while its INSERTs run. */
async function loaderInsertPath(): Promise<void> {
  const chunks = Math.ceil(INSERT_ROWS / CHUNK);
  const records = batchRecords('BENCH', CHUNK / READS_PER_BATCH);
  const prefix = 'PATH-';
  const e0 = performance.now();
  encodeChunks(records, 1, 'WARM-');
  const encodeMs = performance.now() - e0;
  console.log(`\ninsert path: decoded meter-batches.v1 records → the loader's sink (RowBinary) → ${CHUNK.toLocaleString('en-US')}-row INSERTs, ${INSERTS_IN_FLIGHT} in flight`);
  console.log(`  encoding alone (one core): ${rate(CHUNK, encodeMs)}`);
  await quiesce();
  const c0 = await cpuMark();
  const t0 = performance.now();
  // A generator: each body is encoded only when an INSERT slot frees, as in the loader.
  await insertAll((function* () {
    for (let c = 0; c < chunks; c += 1) yield (encodeChunks(records, 1, `${prefix}${c}-`)[0] as Buffer[]);
  })(), INSERTS_IN_FLIGHT);
  const ms = performance.now() - t0;
  const c1 = await cpuMark();
  const stored = await storedOnce(prefix);
  console.log(`  encode + insert ${rate(chunks * CHUNK, ms).padStart(16)}  ${cpuPerRow(c0, c1, chunks * CHUNK)}${stored === chunks * CHUNK ? '; all rows stored once' : `; STORED ${stored}`}`);
}

async function insertPath(): Promise<void> {
  console.log(`\nformats: ${INSERT_ROWS.toLocaleString('en-US')} rows into reads (+ its materialized views, reads_by_batch and read_days); rows encoded in this process while INSERTs run`);
  const runs: { format: InsertFormat; chunk: number; inFlight: number }[] = [
    ...(['RowBinary', 'TabSeparated', 'CSV', 'JSONEachRow'] as const).map((format) => ({ format, chunk: CHUNK, inFlight: INSERTS_IN_FLIGHT })),
    { format: 'RowBinary', chunk: 100_000, inFlight: 1 },
    { format: 'RowBinary', chunk: CHUNK, inFlight: 1 },
  ];
  // One chunk of rows, reused with a new DISCOM id per INSERT: rows stay unique and the
  // garbage collector does not pay for millions of live objects the loader never holds.
  const template = chunkRows('BENCH', 0, CHUNK);
  for (const format of ['RowBinary', 'TabSeparated'] as const) encode(format, template);
  for (const [i, run] of runs.entries()) {
    const discom = `BENCH-${i}-`;
    await quiesce();
    let encodeMs = 0;
    const inflight = new Set<Promise<void>>();
    const t0 = performance.now();
    for (let c = 0; c * run.chunk < INSERT_ROWS; c += 1) {
      const rows = template.slice(0, Math.min(run.chunk, INSERT_ROWS - c * run.chunk));
      for (const r of rows) r.discomId = `${discom}${c}`;
      const e = performance.now();
      const body = encode(run.format, rows);
      encodeMs += performance.now() - e;
      if (inflight.size >= run.inFlight) await Promise.race(inflight);
      const p: Promise<void> = insertEncoded(client, 'reads', READ_COLUMNS, run.format, body).finally(() => inflight.delete(p));
      inflight.add(p);
    }
    await Promise.all(inflight);
    const total = performance.now() - t0;
    const stored = Number((await (await client.query({ query: sql`SELECT count() AS n FROM reads FINAL WHERE startsWith(discom_id, ${discom})`, format: 'JSONEachRow' })).json<{ n: string }>())[0]?.n);
    const shape = `${run.chunk.toLocaleString('en-US')} rows/INSERT, ${run.inFlight} in flight`;
    console.log(`  ${run.format.padEnd(12)} ${shape.padEnd(30)} ${rate(INSERT_ROWS, total).padStart(16)}  (encoding alone ${rate(INSERT_ROWS, encodeMs)}; ${stored === INSERT_ROWS ? 'all rows stored once' : `STORED ${stored}`})`);
  }
}

/** Empties the tables and waits for merges to end, so one run does not pay for the last. */
async function quiesce(): Promise<void> {
  await client.command({ query: 'TRUNCATE TABLE reads' });
  await client.command({ query: 'TRUNCATE TABLE reads_by_batch' });
  await client.command({ query: 'TRUNCATE TABLE read_days' });
  await untilMergesSettle(client, config.clickhouse.database, 60_000, 100);
}

/** End to end's rows/s (0 when it timed out), and the CPU per row of the loader's process and of its INSERTs in ClickHouse (µs). */
interface EndToEnd { rate: number; nodeUs: number; clickhouseUs: number }

/**
 * meter-batches.v1 → Loader → ClickHouse, from the first fetched batch to the last INSERT; the
 * loader runs as many INSERTs at once as the ceiling's best, unless IES_LOADER_INSERTS_IN_FLIGHT says.
 */
async function endToEnd(rows: number, best: Ceiling): Promise<EndToEnd> {
  const inFlight = E2E_IN_FLIGHT ?? best.inFlight;
  const inFlightSource = E2E_IN_FLIGHT !== undefined ? 'IES_LOADER_INSERTS_IN_FLIGHT' : best.rate > 0 ? "the ceiling's best" : 'the default; no ceiling ran';
  const tenant = `BENCH-${randomBytes(4).toString('hex').toUpperCase()}`;
  const kafka = createKafka(config, quiet);
  const admin = kafka.admin();
  await admin.connect();
  await ensureTenantTopics(admin, tenant, config.kafka.replicationFactor);
  const serde = new AvroSerde({ registryUrl: config.registry.url });
  const producer = createIdempotentProducer(kafka);
  await producer.connect();
  const batches = Math.ceil(rows / READS_PER_BATCH);
  console.log(`\nend to end: ${batches.toLocaleString('en-US')} batches × ${READS_PER_BATCH} reads on ${topicName(tenant, TOPICS.meterBatches)} (${TOPICS.meterBatches.partitions} partitions), Avro-decoded and loaded by one Loader, ${inFlight} INSERT${inFlight === 1 ? '' : 's'} in flight (${inFlightSource})`);
  // Records as the gateway writes them: a signed compact CSV body per batch, its reads
  // normalised against a registry holding the fleet; the loader re-verifies each one (head-end
  // signature, registry state, reads against the body) with that registry, as in production.
  const fleet = await signedFleet({ producer, serde, tenant, headEndId: HEAD_END });
  const meters = Array.from({ length: FLEET }, (_, m) => meterIdOf(m));
  const document = { discom: tenant, participants: [{ id: HEAD_END, role: 'HEADEND', keys: [fleet.headEnd.publicJwk] }], meters: meters.map((id) => ({ id, scheme: 'METER_SERIAL', headEnd: HEAD_END, sanctionedLoadW: 100_000 })) };
  for (const e of parseRegistryDocument(JSON.stringify(document), BLOCK0 - 86_400_000)) fleet.registry.apply(e);
  const p0 = performance.now();
  let bodyBytes = 0;
  for (let b = 0; b < batches; b += 50) {
    const messages = [];
    for (let i = b; i < Math.min(batches, b + 50); i += 1) {
      const reads = chunkRows(tenant, i * READS_PER_BATCH, READS_PER_BATCH).map((r) => ({ meterId: r.meterId, blockStart: r.blockStartSec * 1000, channel: r.channel, wh: r.wh }));
      const record = await fleet.batch(reads, { jti: jtiOf(i), receivedAt: RECEIVED });
      if (record.reads.length !== READS_PER_BATCH || record.batchId !== batchId(i)) throw new Error(`bench record ${i}: ${record.reads.length} reads accepted, id ${record.batchId}`);
      bodyBytes += record.body.length;
      // Batch ids shaped as in the ceiling's rows (and the gateway's): both insert the same bytes per row.
      messages.push({ key: record.batchId, value: await serde.encode(tenant, TOPICS.meterBatches, record) });
    }
    await producer.send({ topic: topicName(tenant, TOPICS.meterBatches), acks: ACKS_ALL, messages });
  }
  const verifier = new BatchVerifier(fleet.registry);
  await producer.disconnect();
  console.log(`  built, signed and produced in ${((performance.now() - p0) / 1000).toFixed(1)} s (${(bodyBytes / 1e6).toFixed(1)} MB of signed CSV)`);

  // A loader runs for days, its code long compiled: an untimed loader (its own group) first
  // loads the first WARM_UP_ROWS of the same records, so the timed one does not pay V8's
  // compiler for the consumer path. The timed loader then loads every record from the start,
  // into emptied tables, as each ceiling run does.
  const warm = await loadTopic(kafka, serde, verifier, tenant, `${tenant}-warm-up`, Math.min(WARM_UP_ROWS, batches * READS_PER_BATCH), inFlight, false);
  console.log(`  warm-up (untimed): ${warm.inserted.toLocaleString('en-US')} rows`);
  await quiesce();
  const run = await loadTopic(kafka, serde, verifier, tenant, `${tenant}-bench`, batches * READS_PER_BATCH, inFlight);
  const total = batches * READS_PER_BATCH;
  console.log(`  ${run.inserted.toLocaleString('en-US')} rows: ${rate(run.inserted, run.ms)} from first fetch to last INSERT (group join took ${(run.joinMs / 1000).toFixed(1)} s)${run.inserted < total ? ' — TIMED OUT' : ''}`);
  console.log(`  ${cpuPerRow(run.c0, run.c1, Math.max(1, run.inserted))} (node: Kafka fetch, Avro decoding, re-verification, encoding)`);
  await admin.deleteTopics({ topics: Object.values(TOPICS).map((t) => topicName(tenant, t)) }).catch(() => {});
  await admin.disconnect();
  const perRow = (s: number) => (s * 1e6) / Math.max(1, run.inserted);
  return { rate: run.inserted < total ? 0 : run.inserted / (run.ms / 1000), nodeUs: perRow(run.c1.node - run.c0.node), clickhouseUs: perRow(run.c1.clickhouse - run.c0.clickhouse) };
}

/** One Loader in consumer group `groupId` on the tenant's topic, until `rows` reads are inserted. */
async function loadTopic(kafka: ReturnType<typeof createKafka>, serde: AvroSerde, verifier: BatchVerifier, tenant: string, groupId: string, rows: number, inFlight: number, timed = true): Promise<{ inserted: number; ms: number; joinMs: number; c0: CpuMark; c1: CpuMark }> {
  let firstFetch: number | undefined;
  let lastInsert = 0;
  let inserted = 0;
  let done!: () => void;
  const finished = new Promise<void>((r) => (done = r));
  const loader = new Loader({
    kafka, serde, clickhouse: client, tenants: [tenant], log: quiet,
    batchVerifier: verifier,
    sinks: [meterBatchesSink],
    options: { groupId, maxInFlightInserts: inFlight },
    metrics: {
      inserted(table, n) {
        if (table !== 'reads') return;
        inserted += n;
        lastInsert = performance.now();
        if (inserted >= rows) done();
      },
      insertFailed() {}, paused() {}, lag() {},
    },
  });
  loader.consumer.on(loader.consumer.events.START_BATCH_PROCESS, () => (firstFetch ??= performance.now()));
  const none = { node: 0, clickhouse: 0 };
  const c0 = timed ? await cpuMark() : none;
  const s0 = performance.now();
  await loader.start();
  let timeout: NodeJS.Timeout | undefined;
  await Promise.race([finished, new Promise((r) => (timeout = setTimeout(r, 300_000)))]);
  clearTimeout(timeout);
  const result = { inserted, ms: lastInsert - (firstFetch ?? s0), joinMs: (firstFetch ?? s0) - s0 };
  const c1 = timed ? await cpuMark() : none;
  await loader.stop();
  return { ...result, c0, c1 };
}
