import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadConfig } from '@ies/config';
import { recordBenchFigure } from '@ies/observability';
import { generateSigningKey, type KeyPair } from '@ies/crypto';
import { provisionTenants } from '@ies/kafka';
import { checkpointSizeOf } from '@ies/verify';
import { closedLoop, startStaticServer, type LoadResult } from './http-load.js';
import { freePort, parseFlags, percentile, postBatch, prepareBatches, quietSink, register, runPhase, startGatewayChild, throttle, waitReady, type GatewayChild, type PhaseResult, type PreparedBatch } from './ingest.js';
import { startNotaryChild, type NotaryChild } from './notary-watch.js';
import { servingSchedule } from './ingest-schedule.js';
import { fullTilePaths } from './tile-paths.js';
import { openLoopElsewhere } from './tile-clients.js';

/**
 * `npm run bench:tiles`: how fast the gateway serves a tenant's C2SP tiled log
 * (`/logs/<discom>/tile/…`, read from Redis) and whether serving it slows ingest. A gateway
 * child and a notary child run for a fresh tenant; the bench fills the log with many one-row
 * batches until it has full tiles, then (1) fetches full level-0 tiles and entry bundles over
 * loopback keep-alive connections, against the same client fetching an 8 KiB static body
 * from a bare node:http server (the ceiling); (2) runs the same ingest workload in four
 * phases, serving off and on in ABBA order, the "on" ones with tile reads at a fixed rate.
 */

export interface TilesBenchOptions {
  /** Log entries (one-row batches) to notarise before the tile phases: at least 256. */
  entries: number;
  /** Keep-alive connections of the closed-loop tile phases. */
  connections: number;
  /** Length of each closed-loop tile phase, seconds. */
  seconds: number;
  /** Upper bound on requests per closed-loop phase. */
  maxRequests: number;
  /** Ingest batches per off or on phase. */
  ingestBatches: number;
  /** Off/on pairs of ingest phases. */
  rounds: number;
  /** Reads per ingest batch (even). */
  batchReads: number;
  /** Upper bound on each ingest phase, seconds. */
  ingestSeconds: number;
  /** Tile requests per second while ingest runs in the "on" phases. */
  tileRate: number;
  /** What the "on" phases fetch: full tiles and gzip entry bundles alternately, or only one of them. */
  tileMix: 'mixed' | 'tiles' | 'bundles';
  tileServer: 'separate' | 'gateway';
  /** Head-ends posting concurrently (fill and ingest). */
  concurrency: number;
}

const USAGE = `usage: npm run bench:tiles -- [--entries 4096] [--connections 16] [--seconds 10] [--max-requests 200000]
                              [--ingest-batches 600] [--rounds 3] [--batch-reads 1000] [--ingest-seconds 20]
                              [--tile-rate 500] [--tile-mix mixed|tiles|bundles] [--tile-server separate|gateway] [--concurrency 8]
  (or IES_BENCH_TILES_<OPTION>, e.g. IES_BENCH_TILES_ENTRIES)
  starts a gateway and a notary child on 127.0.0.1 for a fresh tenant, fills its log with --entries
  one-row batches, measures full tile and entry-bundle serving (closed loop, --connections keep-alive
  connections, --seconds each) against a bare node:http 8 KiB ceiling, then the same ingest workload
  with tile serving off and on (--tile-rate requests/s of full tiles and gzip bundles alternately, or
  of one kind with --tile-mix; served by the separate, lower-priority tile server ies-tiles, or by the
  gateway with --tile-server gateway), --rounds pairs of
  phases in ABBA order, each phase --ingest-batches batches or --ingest-seconds, whichever ends first.`;

/** Set-up and fill must finish inside the gateway's 300 s iat window for the pre-signed fill batches. */
const FILL_SECONDS = 200;
const DRAIN_TIMEOUT_MS = 120_000;

type Env = Readonly<Record<string, string | undefined>>;

export function parseTilesOptions(argv: readonly string[], env: Env): TilesBenchOptions | 'help' {
  const given = parseFlags(argv, USAGE);
  if (given === 'help') return 'help';
  const known = new Set(['entries', 'connections', 'seconds', 'max-requests', 'ingest-batches', 'rounds', 'batch-reads', 'ingest-seconds', 'tile-rate', 'tile-mix', 'tile-server', 'concurrency']);
  for (const k of given.keys()) if (!known.has(k)) throw new Error(`unknown option --${k}\n${USAGE}`);
  const envName = (name: string) => `IES_BENCH_TILES_${name.toUpperCase().replace(/-/g, '_')}`;
  const int = (name: string, fallback: number, min: number, max: number) => {
    const text = given.get(name) ?? env[envName(name)] ?? String(fallback);
    const v = Number(text);
    if (!Number.isInteger(v) || v < min || v > max) throw new Error(`--${name} (${envName(name)}) must be an integer from ${min} to ${max}, not ${JSON.stringify(text)}`);
    return v;
  };
  const batchReads = int('batch-reads', 1000, 2, 50_000);
  if (batchReads % 2 !== 0) throw new Error('--batch-reads must be even (each CSV row carries an import and an export read)');
  const tileMix = given.get('tile-mix') ?? env.IES_BENCH_TILES_TILE_MIX ?? 'mixed';
  if (tileMix !== 'mixed' && tileMix !== 'tiles' && tileMix !== 'bundles') throw new Error(`--tile-mix (IES_BENCH_TILES_TILE_MIX) is mixed, tiles or bundles, not ${JSON.stringify(tileMix)}`);
  const tileServer = given.get('tile-server') ?? env.IES_BENCH_TILES_TILE_SERVER ?? 'separate';
  if (tileServer !== 'separate' && tileServer !== 'gateway') throw new Error(`--tile-server (IES_BENCH_TILES_TILE_SERVER) is separate or gateway, not ${JSON.stringify(tileServer)}`);
  return {
    tileMix,
    tileServer,
    entries: int('entries', 4096, 256, 50_000),
    connections: int('connections', 16, 1, 256),
    seconds: int('seconds', 10, 1, 60),
    maxRequests: int('max-requests', 200_000, 1, 10_000_000),
    ingestBatches: int('ingest-batches', 600, 1, 20_000),
    rounds: int('rounds', 3, 1, 10),
    batchReads,
    ingestSeconds: int('ingest-seconds', 20, 1, 60),
    tileRate: int('tile-rate', 500, 1, 20_000),
    concurrency: int('concurrency', 8, 1, 64),
  };
}

interface Fleet { id: string; key: KeyPair; meters: string[] }

async function fleet(prefix: string, lanes: number, meters: number): Promise<Fleet[]> {
  const out: Fleet[] = [];
  for (let lane = 0; lane < lanes; lane += 1) {
    const id = `${prefix}-HES-${String(lane + 1).padStart(3, '0')}`;
    out.push({ id, key: await generateSigningKey('EdDSA'), meters: Array.from({ length: meters }, (_, m) => `${prefix}-MTR-${String(lane + 1).padStart(3, '0')}-${String(m + 1).padStart(6, '0')}`) });
  }
  return out;
}

async function logSize(url: string, tenant: string): Promise<number> {
  const res = await fetch(`${url}/logs/${tenant}/checkpoint`, { signal: AbortSignal.timeout(5_000) });
  if (res.status === 404) return 0;
  if (res.status !== 200) throw new Error(`GET /logs/${tenant}/checkpoint: HTTP ${res.status}`);
  return checkpointSizeOf(await res.text());
}

/** Waits (bounded) until the notary's latest checkpoint covers `size` entries. */
async function drained(url: string, tenant: string, size: number, timeoutMs: number): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const now = await logSize(url, tenant);
    if (now >= size) return now;
    if (Date.now() > deadline) throw new Error(`the log of ${tenant} is at ${now} entries, not ${size}, after ${timeoutMs / 1000} s: the notary did not keep up`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

interface IngestPhase { serving: boolean; phase: PhaseResult; retries: number; tiles?: LoadResult }

/** Runs the benchmark; resolves with the exit status (0 unless something failed). */
export async function runTilesBench(argv: readonly string[], env: Env): Promise<number> {
  let options: TilesBenchOptions | 'help';
  try {
    options = parseTilesOptions(argv, env);
  } catch (err) {
    console.error(`bench:tiles: ${(err as Error).message}`);
    return 2;
  }
  if (options === 'help') {
    console.log(USAGE);
    return 0;
  }
  const o = options;
  const runId = randomBytes(4).toString('hex').toUpperCase();
  const tenant = `TILES-${runId}`;
  const workDir = mkdtempSync(path.join(os.tmpdir(), 'ies-bench-tiles-'));
  let gateway: GatewayChild | undefined;
  let notary: NotaryChild | undefined;
  let tileServer: NotaryChild | undefined;
  let ceiling: Awaited<ReturnType<typeof startStaticServer>> | undefined;
  // Hard bound on the whole run: set-up, fill, the three closed-loop phases, the ingest phases, drains.
  const watchdogMs = (FILL_SECONDS + 5 * o.seconds + 2 * o.rounds * (o.ingestSeconds + DRAIN_TIMEOUT_MS / 1000) + DRAIN_TIMEOUT_MS / 1000 + 120) * 1000;
  const killChildren = () => {
    for (const c of [gateway?.child, notary?.child, tileServer?.child]) if (c?.pid !== undefined && c.exitCode === null && c.signalCode === null) process.kill(c.pid, 'SIGTERM');
    if (ceiling?.pid !== undefined) process.kill(ceiling.pid, 'SIGTERM');
  };
  const watchdog = setTimeout(() => {
    console.error(`bench:tiles: still running after ${watchdogMs / 1000} s; stopping the gateway (pid ${gateway?.child.pid ?? '-'}) and the notary (pid ${notary?.child.pid ?? '-'})`);
    killChildren();
    process.exit(3);
  }, watchdogMs);
  watchdog.unref();
  process.once('exit', killChildren);
  const onSignal = (signal: NodeJS.Signals) => {
    console.error(`bench:tiles: ${signal}; stopping the children`);
    killChildren();
    process.exit(130);
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);

  try {
    const config = loadConfig({ ...env, IES_TENANTS: tenant }, { principal: 'admin' });
    await provisionTenants(config, [tenant], quietSink);
    const operator = await generateSigningKey('EdDSA');
    const jwksFile = path.join(workDir, 'operator.jwks.json');
    writeFileSync(jwksFile, JSON.stringify({ keys: [operator.publicJwk] }));
    const port = await freePort();
    gateway = startGatewayChild({ ...env, IES_TENANTS: tenant, IES_OPERATOR_JWKS_FILE: jwksFile, IES_HTTP_HOST: '127.0.0.1', IES_HTTP_PORT: String(port), IES_LOG_LEVEL: 'warn' }, undefined);
    const url = `http://127.0.0.1:${port}`;
    await waitReady(url, gateway, 90_000);
    console.log(`bench:tiles: tenant ${tenant}, gateway pid ${gateway.child.pid} at ${url}`);

    // One-row batches fill the log (one entry each); the ingest fleet is separate so no (meter, block) repeats.
    const fillFleet = await fleet(`TF${runId}`, o.concurrency, 64);
    const ingestFleet = await fleet(`TI${runId}`, o.concurrency, o.batchReads / 2);
    await register(url, tenant, operator, [...fillFleet, ...ingestFleet]);
    notary = startNotaryChild({ ...env, IES_TENANTS: tenant, IES_OPERATOR_JWKS_FILE: jwksFile, IES_NOTARY_KEYS_DIR: path.join(workDir, 'notary-keys'), IES_LOG_LEVEL: 'warn' });
    console.log(`bench:tiles: notary pid ${notary.child.pid}; filling the log with ${o.entries} one-row batches (${o.concurrency} head-ends)`);

    let servingUrl = url;
    if (o.tileServer === 'separate') {
      const tilesPort = await freePort();
      tileServer = startNotaryChild({ ...env, IES_TENANTS: tenant, IES_HTTP_HOST: '127.0.0.1', IES_HTTP_PORT: String(tilesPort), IES_LOG_LEVEL: 'warn' }, undefined, 'bin-tiles.js');
      servingUrl = `http://127.0.0.1:${tilesPort}`;
      await healthy(servingUrl, 30_000);
      console.log(`bench:tiles: tile server (ies-tiles) pid ${tileServer.child.pid} at ${servingUrl}, nice ${config.notary.tilesNice}`);
    }

    const fillBatches = await prepareBatches({ batches: o.entries, batchReads: 2 }, `${runId}F`, tenant, fillFleet);
    const fill = await runPhase(fillBatches, o.concurrency, FILL_SECONDS, (b) => postBatch(url, b));
    if (fill.errors.length > 0) throw new Error(`${fill.errors.length} fill batches failed: ${fill.errors.slice(0, 3).join('; ')}`);
    const size = await drained(url, tenant, fill.batches, DRAIN_TIMEOUT_MS);
    const { tiles, bundles } = fullTilePaths(size);
    console.log(`bench:tiles: log at ${size} entries (${tiles.length} full level-0 tiles) after ${(fill.elapsedMs / 1000).toFixed(1)} s of posting`);
    if (tiles.length === 0) throw new Error(`the log has ${size} entries: no full tile to fetch`);

    // (1) Serving throughput, closed loop, then the ceiling with the same client.
    const prefix = `/logs/${tenant}/`;
    const load = { connections: o.connections, seconds: o.seconds, maxRequests: o.maxRequests };
    console.log(`bench:tiles: closed loop, ${o.connections} connections, ${o.seconds} s each: full tiles, entry bundles (gzip, identity), /healthz, 8 KiB static`);
    const tileRun = await closedLoop({ ...load, origin: url, paths: tiles.map((p) => prefix + p) });
    const separateRun = o.tileServer === 'separate' ? await closedLoop({ ...load, origin: servingUrl, paths: tiles.map((p) => prefix + p) }) : undefined;
    // Go's HTTP client (golang.org/x/mod, Tessera's clients) asks for gzip by default; the identity run shows what compressing costs.
    const bundleRun = await closedLoop({ ...load, origin: url, paths: bundles.map((p) => prefix + p), headers: { 'accept-encoding': 'gzip' } });
    const bundlePlainRun = await closedLoop({ ...load, origin: url, paths: bundles.map((p) => prefix + p), headers: { 'accept-encoding': 'identity' } });
    const healthRun = await closedLoop({ ...load, origin: url, paths: ['/healthz'] });
    ceiling = await startStaticServer(8192);
    const staticRun = await closedLoop({ ...load, origin: ceiling.origin, paths: ['/static'] });
    await ceiling.close();
    ceiling = undefined;

    // (2) The same ingest workload with serving off and on, interleaved so drift hits both alike.
    // Each phase is signed just before it runs (the gateway refuses an iat older than 300 s) and
    // walks its own blocks: with one meter per row, a batch takes one block per head-end.
    const blocksPerPhase = Math.ceil(o.ingestBatches / o.concurrency);
    const background = { mixed: tiles.flatMap((t, i) => [prefix + t, prefix + (bundles[i] as string)]), tiles: tiles.map((t) => prefix + t), bundles: bundles.map((b) => prefix + b) }[o.tileMix];
    const phases: IngestPhase[] = [];
    let expected = size;
    const schedule = servingSchedule(o.rounds);
    for (let q = 0; q < schedule.length; q += 1) {
      const serving = schedule[q] as boolean;
      const part: PreparedBatch[] = await prepareBatches({ batches: o.ingestBatches, batchReads: o.batchReads }, `${runId}I${q}`, tenant, ingestFleet, q * blocksPerPhase);
      const retriesBefore = throttle.retries;
      const tileLoad = serving ? openLoopElsewhere({ origin: servingUrl, paths: background, headers: { 'accept-encoding': 'gzip' }, rate: o.tileRate, connections: o.connections, seconds: o.ingestSeconds + 30, maxRequests: o.maxRequests }, config.notary.tilesNice) : undefined;
      const phase = await runPhase(part, o.concurrency, o.ingestSeconds, (b) => postBatch(url, b));
      const served = tileLoad ? await tileLoad.stop() : undefined;
      phases.push({ serving, phase, retries: throttle.retries - retriesBefore, ...(served ? { tiles: served } : {}) });
      console.log(`bench:tiles: ingest phase ${q + 1} (serving ${serving ? `on, ${o.tileRate} tile req/s` : 'off'}): ${phase.reads} reads in ${(phase.elapsedMs / 1000).toFixed(2)} s${phase.errors.length ? `, ${phase.errors.length} errors` : ''}`);
      expected += phase.batches;
      // Each phase starts with the notary caught up, so back-pressure from an earlier one does not leak in.
      await drained(url, tenant, expected, DRAIN_TIMEOUT_MS);
    }

    printReport(o, { maxNotaryLagMs: config.ingest.maxNotaryLagMs, tenant, size, tiles: tiles.length, tileRun, ...(separateRun ? { separateRun } : {}), bundleRun, bundlePlainRun, healthRun, staticRun, phases });
    const closedRuns = [tileRun, ...(separateRun ? [separateRun] : []), bundleRun, bundlePlainRun, healthRun, staticRun];
    const failed = closedRuns.reduce((n, r) => n + r.errors, 0) + phases.reduce((n, q) => n + q.phase.errors.length + (q.tiles?.errors ?? 0), 0);
    if (failed > 0) {
      console.error(`bench:tiles: ${failed} request(s) failed; first ones:`);
      for (const e of closedRuns.flatMap((r) => r.firstErrors).concat(phases.flatMap((q) => [...q.phase.errors, ...(q.tiles?.firstErrors ?? [])])).slice(0, 10)) console.error(`  ${e}`);
      return 1;
    }
    return 0;
  } catch (err) {
    console.error(`bench:tiles: ${(err as Error).stack ?? String(err)}`);
    return 1;
  } finally {
    clearTimeout(watchdog);
    if (ceiling) await ceiling.close().catch(() => {});
    if (gateway) await gateway.stop().catch(() => {});
    if (notary) await notary.stop().catch(() => {});
    if (tileServer) await tileServer.stop().catch(() => {});
    process.removeListener('exit', killChildren);
    process.removeListener('SIGINT', onSignal);
    process.removeListener('SIGTERM', onSignal);
    rmSync(workDir, { recursive: true, force: true });
  }
}

/** Polls GET /healthz until it answers 200. */
async function healthy(url: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if ((await fetch(`${url}/healthz`).catch(() => undefined))?.ok) return;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`${url}/healthz did not answer 200 within ${timeoutMs} ms`);
}

// --- report ------------------------------------------------------------------------------------

const n = (v: number, digits = 0) => (Number.isFinite(v) ? v.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits }) : 'n/a');

function perSecond(count: number, elapsedMs: number): number {
  return elapsedMs > 0 ? count / (elapsedMs / 1000) : Number.NaN;
}

function loadRow(name: string, r: LoadResult): [string, string, string, string, string, string] {
  const lat = [...r.latenciesMs].sort((a, b) => a - b);
  return [name, n(perSecond(r.requests, r.elapsedMs)), `${n(percentile(lat, 0.5), 2)} / ${n(percentile(lat, 0.99), 2)}`, `${n(perSecond(r.bytes, r.elapsedMs) / 1e6, 1)} MB/s`, n(r.bytes / Math.max(1, r.requests)), `${n(r.requests)} in ${n(r.elapsedMs / 1000, 1)} s, ${r.errors} errors`];
}

function table(rows: readonly (readonly string[])[]): void {
  const w = (rows[0] ?? []).map((_, i) => Math.max(...rows.map((row) => row[i]?.length ?? 0)));
  rows.forEach((row, k) => {
    console.log(row.map((x, i) => x.padEnd(w[i] as number)).join('  ').trimEnd());
    if (k === 0) console.log(w.map((x) => '-'.repeat(x)).join('  '));
  });
}

function printReport(o: TilesBenchOptions, r: { maxNotaryLagMs: number; tenant: string; size: number; tiles: number; tileRun: LoadResult; separateRun?: LoadResult; bundleRun: LoadResult; bundlePlainRun: LoadResult; healthRun: LoadResult; staticRun: LoadResult; phases: IngestPhase[] }): void {
  const cpus = os.cpus();
  const ceilingRate = perSecond(r.staticRun.requests, r.staticRun.elapsedMs);
  const ratio = (x: LoadResult) => n(perSecond(x.requests, x.elapsedMs) / ceilingRate, 2);
  console.log('');
  console.log('ies-backbone tile-serving benchmark: /logs/<discom>/tile/… from the gateway (tiles read from Redis)');
  console.log(`machine   ${cpus.length} cores (${cpus[0]?.model.trim() ?? 'unknown'}), ${n(os.totalmem() / 1024 ** 3, 1)} GiB RAM, Node ${process.version}, ${os.platform()} ${os.arch()}; ${new Date().toISOString()}`);
  console.log(`run       tenant ${r.tenant}, log of ${n(r.size)} entries (${r.tiles} full level-0 tiles); the load generator, gateway, notary, Kafka, Redis and the registry share the same cores`);
  console.log('');
  console.log(`(1) closed loop, ${o.connections} keep-alive connections, ${o.seconds} s each`);
  table([
    ['resource', 'req/s', 'p50 / p99 ms', 'bytes/s', 'B/answer', 'requests'],
    loadRow('full tiles tile/0/<N> (8,192 B)', r.tileRun),
    ...(r.separateRun ? [loadRow('full tiles from ies-tiles (lower priority)', r.separateRun)] : []),
    loadRow('entry bundles tile/entries/<N> (gzip)', r.bundleRun),
    loadRow('entry bundles tile/entries/<N> (identity)', r.bundlePlainRun),
    loadRow('gateway /healthz', r.healthRun),
    loadRow('ceiling: bare node:http, 8 KiB static', r.staticRun),
  ]);
  console.log(`ratio to the ceiling: full tiles ${ratio(r.tileRun)}${r.separateRun ? ` (${ratio(r.separateRun)} from ies-tiles)` : ''}, entry bundles ${ratio(r.bundleRun)} (gzip) / ${ratio(r.bundlePlainRun)} (identity), /healthz ${ratio(r.healthRun)}`);
  console.log('');
  const sum = (serving: boolean) => {
    const qs = r.phases.filter((q) => q.serving === serving);
    const reads = qs.reduce((a, q) => a + q.phase.reads, 0);
    const ms = qs.reduce((a, q) => a + q.phase.elapsedMs, 0);
    const lat = qs.flatMap((q) => q.phase.latenciesMs).sort((a, b) => a - b);
    return { reads, ms, rate: perSecond(reads, ms), p99: percentile(lat, 0.99), retries: qs.reduce((a, q) => a + q.retries, 0), errors: qs.reduce((a, q) => a + q.phase.errors.length, 0) };
  };
  const off = sum(false);
  const on = sum(true);
  const bg = r.phases.flatMap((q) => (q.tiles ? [q.tiles] : []));
  const bgReq = bg.reduce((a, x) => a + x.requests, 0);
  const bgMs = bg.reduce((a, x) => a + x.elapsedMs, 0);
  const bgLat = bg.flatMap((x) => x.latenciesMs).sort((a, b) => a - b);
  console.log(`(2) ingest (POST /v1/meter-data, ${o.batchReads} reads per batch, ${o.concurrency} head-ends) in ${r.phases.length} phases, ABBA; "on" = served by ${o.tileServer === 'separate' ? 'the separate tile server ies-tiles at lower priority' : 'the gateway'}: ${{ mixed: 'full tiles and gzip entry bundles alternately', tiles: 'full tiles', bundles: 'gzip entry bundles' }[o.tileMix]} at ${o.tileRate} req/s`);
  console.log(`    notary back-pressure: IES_INGEST_MAX_NOTARY_LAG_MS=${r.maxNotaryLagMs}${r.maxNotaryLagMs === 0 ? ' (off: the gateway alone)' : ' (503 + Retry-After while the notary is behind; 0 turns it off)'}`);
  const phaseRows = r.phases.map((q, i) => {
    const lat = [...q.phase.latenciesMs].sort((a, b) => a - b);
    return [`phase ${i + 1}: ${q.serving ? 'on' : 'off'}`, n(perSecond(q.phase.reads, q.phase.elapsedMs)), n(percentile(lat, 0.99), 1), n(q.retries), `${n(q.phase.reads)} in ${n(q.phase.elapsedMs / 1000, 1)} s`, n(q.phase.errors.length)];
  });
  table([
    ['tile serving', 'reads/s', 'batch p99 ms', '503 retries', 'reads', 'errors'],
    ...phaseRows,
    ['off (all)', n(off.rate), n(off.p99, 1), n(off.retries), `${n(off.reads)} in ${n(off.ms / 1000, 1)} s`, n(off.errors)],
    ['on (all)', n(on.rate), n(on.p99, 1), n(on.retries), `${n(on.reads)} in ${n(on.ms / 1000, 1)} s`, n(on.errors)],
  ]);
  const served = r.separateRun ?? r.tileRun;
  recordBenchFigure({ stage: 'tiles', metric: `full tiles req/s, closed loop (${r.separateRun ? 'ies-tiles' : 'gateway'})`, value: perSecond(served.requests, served.elapsedMs), unit: 'req/s', ceiling: ceilingRate, ceilingLabel: 'bare node:http, 8 KiB', target: null });
  recordBenchFigure({ stage: 'tiles', metric: `ingest with tiles served (${o.tileServer})`, value: on.rate, unit: 'reads/s', ceiling: off.rate, ceilingLabel: 'ingest without serving', target: null });
  console.log(`ratio on / off: ${n(on.rate / off.rate, 2)}; tile load achieved ${n(perSecond(bgReq, bgMs))} req/s (p99 ${n(percentile(bgLat, 0.99), 1)} ms, ${bg.reduce((a, x) => a + x.dropped, 0)} dropped, ${bg.reduce((a, x) => a + x.errors, 0)} errors)`);
}
