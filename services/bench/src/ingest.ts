import { spawn, type ChildProcess } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRandom } from '@ies/cli';
import { loadConfig } from '@ies/config';
import { METER_DATA_WRITE, TOPICS, topicName } from '@ies/contracts';
import { generateSigningKey, signDetached, type KeyPair } from '@ies/crypto';
import { post, type PostAnswer } from './http-load.js';
import { childCpuSeconds, receiptLatencies, sampleLag, startNotaryChild, type NotaryChild } from './notary-watch.js';
import { BATCH_ROOT_IMPLEMENTATION, batchRootOf } from '@ies/notary/batch-root';
import { recordBenchFigure } from '@ies/observability';
import { ACKS_ALL, AvroSerde, createIdempotentProducer, createKafka, ensureTenantTopics, provisionTenants, type LogSink } from '@ies/kafka';

/**
 * `npm run bench:ingest`: the gateway's ingest path (POST /v1/meter-data, compact CSV,
 * detached-JWS auth, replay claim in Redis, VEE, Avro encode, Kafka acks=all) against the
 * same records produced with kafkajs alone. The gateway runs as a child process so its
 * CPU is its own; batches are built and signed before the clock starts.
 */

export interface IngestBenchOptions {
  /** Batches to post (upper bound on count). */
  batches: number;
  /** Requests in flight; one head-end per lane. */
  concurrency: number;
  /** Upper bound on each timed phase, in seconds. */
  seconds: number;
  /** Reads per batch (two per CSV row: import and export). */
  batchReads: number;
  /** Meters registered per head-end (lane). */
  metersPerHeadEnd: number;
  /** When set, the gateway and notary children run with --cpu-prof writing into this folder. */
  cpuProfDir: string | undefined;
  /** Gateway processes behind the one port (node:cluster when more than one). */
  gateways: number;
  /** Full-size batches posted and notarised before the clock starts, so what is timed runs compiled code. */
  warmupBatches: number;
}

/** Issue 19's targets: notarised reads/s ≥ 0.25 × the raw produce ceiling, per-read CPU, receipt p99. */
export const TARGETS = { readsPerSecond: 150_000, p99Ms: 100, ratioToRaw: 0.25, gatewayCpuUsPerRead: 2.5, notaryCpuUsPerRead: 0.5, receiptP99Ms: 2000 } as const;

const USAGE = `usage: npm run bench:ingest -- [--batches 8000] [--concurrency 16] [--seconds 60] [--batch-reads 1000]
                               [--meters-per-headend 100] [--cpu-prof DIR] [--gateways 1] [--warmup-batches 3000]
  (or IES_BENCH_BATCHES, IES_BENCH_CONCURRENCY, IES_BENCH_SECONDS, IES_BENCH_BATCH_READS,
   IES_BENCH_METERS_PER_HEADEND, IES_BENCH_CPU_PROF, IES_BENCH_GATEWAYS, IES_BENCH_WARMUP_BATCHES)
  --gateways N (1–8) runs N gateway processes behind the one port (node:cluster) and prints reads/s
  per gateway process and per CPU-second of the gateways.
  --warmup-batches N full-size batches are posted and notarised before the clock starts (0: none),
  so the timed phase measures compiled code, not V8 compiling it; their CPU is printed apart.
  starts a gateway child on a free 127.0.0.1 port with a fresh tenant, posts pre-signed compact-CSV
  batches with the given concurrency for at most --batches batches and --seconds seconds, then produces
  the same records with kafkajs alone for the raw ceiling, and prints both with the targets.
  A notary child process notarises the gateway tenant's batches meanwhile: receipt latency
  (accepted → receipt committed) and the notary's lag are reported too.`;

const BLOCK_MS = 900_000;
const CSV_HEADER = 'meter_id,block_start,import_wh,export_wh,status';
/** The gateway refuses iat older than ±300 s (IES_AUTH_MAX_SKEW_SECONDS); leave room for set-up. */
const MAX_SECONDS = 180;
const REQUEST_TIMEOUT_MS = 30_000;

type Env = Readonly<Record<string, string | undefined>>;

/** `--name value` / `--name=value` flags of a bench command; 'help' for --help or -h. */
export function parseFlags(argv: readonly string[], usage: string): Map<string, string> | 'help' {
  const given = new Map<string, string>();
  for (let i = 0; i < argv.length; i += 1) {
    const a = argv[i] as string;
    if (a === '--help' || a === '-h') return 'help';
    if (!a.startsWith('--')) throw new Error(`unexpected argument ${JSON.stringify(a)}\n${usage}`);
    const eq = a.indexOf('=');
    if (eq > 0) given.set(a.slice(2, eq), a.slice(eq + 1));
    else {
      const next = argv[i + 1];
      if (next === undefined || next.startsWith('--')) throw new Error(`${a} needs a value\n${usage}`);
      given.set(a.slice(2), next);
      i += 1;
    }
  }
  return given;
}

export function parseOptions(argv: readonly string[], env: Env): IngestBenchOptions | 'help' {
  const given = parseFlags(argv, USAGE);
  if (given === 'help') return 'help';
  const known = new Set(['batches', 'concurrency', 'seconds', 'batch-reads', 'meters-per-headend', 'cpu-prof', 'gateways', 'warmup-batches']);
  for (const k of given.keys()) if (!known.has(k)) throw new Error(`unknown option --${k}\n${USAGE}`);
  const envName = (name: string) => `IES_BENCH_${name.toUpperCase().replace(/-/g, '_')}`;
  const int = (name: string, fallback: number, min: number, max: number) => {
    const text = given.get(name) ?? env[envName(name)] ?? String(fallback);
    const v = Number(text);
    if (!Number.isInteger(v) || v < min || v > max) throw new Error(`--${name} (${envName(name)}) must be an integer from ${min} to ${max}, not ${JSON.stringify(text)}`);
    return v;
  };
  const batchReads = int('batch-reads', 1000, 2, 50_000);
  if (batchReads % 2 !== 0) throw new Error('--batch-reads must be even (each CSV row carries an import and an export read)');
  const cpuProf = given.get('cpu-prof') ?? env.IES_BENCH_CPU_PROF;
  return {
    // 8,000: some ten appends of the notary (one a second) and a warm raw ceiling; with 3,000
    // (about 4 s) the notary's per-append and per-phase costs weighed on its figure per read.
    batches: int('batches', 8000, 1, 100_000),
    concurrency: int('concurrency', 16, 1, 256),
    seconds: int('seconds', 60, 1, MAX_SECONDS),
    batchReads,
    metersPerHeadEnd: int('meters-per-headend', 100, 1, 100_000),
    cpuProfDir: cpuProf === undefined || cpuProf === '' ? undefined : path.resolve(cpuProf),
    gateways: int('gateways', 1, 1, 8),
    warmupBatches: int('warmup-batches', 3000, 0, 100_000),
  };
}

export interface Row {
  meterId: string;
  blockStart: number;
  importWh: number;
  exportWh: number;
  status: 'VALID' | 'ESTIMATED';
}

export interface PreparedBatch {
  lane: number;
  jti: string;
  body: Buffer;
  signature: string;
  rows: Row[];
  reads: number;
}

export interface PhaseResult {
  batches: number;
  reads: number;
  elapsedMs: number;
  latenciesMs: number[];
  errors: string[];
  stoppedByTime: boolean;
}

export const quietSink: LogSink = {
  // kafkajs logs a new topic's leader moving in as an error while ensureTenantTopics waits for it.
  error: (obj, msg) => {
    if (!JSON.stringify(obj).includes('not the leader for that topic-partition')) console.error(`kafkajs: ${msg} ${JSON.stringify(obj)}`);
  },
  warn: () => {},
  info: () => {},
  debug: () => {},
};

/** Runs the benchmark; resolves with the exit status (0 unless something failed). */
export async function runIngestBench(argv: readonly string[], env: Env): Promise<number> {
  let options: IngestBenchOptions | 'help';
  try {
    options = parseOptions(argv, env);
  } catch (err) {
    console.error(`bench:ingest: ${(err as Error).message}`);
    return 2;
  }
  if (options === 'help') {
    console.log(USAGE);
    return 0;
  }
  const o = options;
  const runId = randomBytes(4).toString('hex').toUpperCase();
  const tenant = `BENCH-${runId}`;
  const rawTenant = `BENCH-RAW-${runId}`;
  const workDir = mkdtempSync(path.join(os.tmpdir(), 'ies-bench-'));
  let gateway: GatewayChild | undefined;
  let notary: NotaryChild | undefined;
  // Hard bound on the whole run: set-up, the warm-up phase and its receipts (90 s), both timed phases and tear-down.
  const warmupSeconds = o.warmupBatches > 0 ? o.seconds + 90 : 0;
  const watchdogMs = (2 * o.seconds + 240 + warmupSeconds) * 1000;
  const watchdog = setTimeout(() => {
    console.error(`bench:ingest: still running after ${watchdogMs / 1000} s; stopping the gateway (pid ${gateway?.child.pid ?? '-'}) and exiting`);
    if (gateway?.child.pid !== undefined && gateway.child.exitCode === null) process.kill(gateway.child.pid, 'SIGKILL');
    if (notary?.child.pid !== undefined && notary.child.exitCode === null) process.kill(notary.child.pid, 'SIGKILL');
    process.exit(3);
  }, watchdogMs);
  watchdog.unref();
  const killOnExit = () => {
    if (notary?.child.pid !== undefined && notary.child.exitCode === null && notary.child.signalCode === null) process.kill(notary.child.pid, 'SIGTERM');
    if (gateway?.child.pid !== undefined && gateway.child.exitCode === null && gateway.child.signalCode === null) process.kill(gateway.child.pid, 'SIGTERM');
  };
  process.once('exit', killOnExit);
  const onSignal = (signal: NodeJS.Signals) => {
    console.error(`bench:ingest: ${signal}; stopping the gateway`);
    killOnExit();
    process.exit(130);
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);

  try {
    // The bench provisions its tenants and reads the topics back as the Kafka admin.
    const config = loadConfig({ ...env, IES_TENANTS: rawTenant }, { principal: 'admin' });
    await provisionTenants(config, [tenant], quietSink);
    console.log(`bench:ingest: tenant ${tenant} (gateway) and ${rawTenant} (raw kafkajs), Kafka ${config.kafka.brokers.join(',')}`);
    const operator = await generateSigningKey('EdDSA');
    const jwksFile = path.join(workDir, 'operator.jwks.json');
    writeFileSync(jwksFile, JSON.stringify({ keys: [operator.publicJwk] }));

    const port = await freePort();
    // Back-pressure from the notary as configured (on by default): receipts stay within target, ingest slows to what both sustain.
    gateway = startGatewayChild({ ...env, IES_TENANTS: tenant, IES_OPERATOR_JWKS_FILE: jwksFile, IES_HTTP_HOST: '127.0.0.1', IES_HTTP_PORT: String(port), IES_LOG_LEVEL: 'warn', IES_BENCH_GATEWAYS: String(o.gateways) }, o.cpuProfDir, o.gateways > 1 ? 'cluster' : 'single');
    const url = `http://127.0.0.1:${port}`;
    await waitReady(url, gateway, 90_000);
    const gatewayPids = await gatewayProcesses(gateway, o.gateways, url);
    console.log(`bench:ingest: gateway ${o.gateways > 1 ? `cluster (primary ${gateway.child.pid}, workers ${gatewayPids.slice(1).join(', ')})` : `pid ${gateway.child.pid}`} ready at ${url}`);

    // Fleet: one head-end per lane, metersPerHeadEnd meters each.
    const headEnds: { id: string; key: KeyPair; meters: string[] }[] = [];
    for (let lane = 0; lane < o.concurrency; lane += 1) {
      const id = `BENCH-HES-${String(lane + 1).padStart(3, '0')}`;
      const meters = Array.from({ length: o.metersPerHeadEnd }, (_, m) => `BENCH-MTR-${String(lane + 1).padStart(3, '0')}-${String(m + 1).padStart(6, '0')}`);
      headEnds.push({ id, key: await generateSigningKey('EdDSA'), meters });
    }
    await register(url, tenant, operator, headEnds);
    console.log(`bench:ingest: registered ${headEnds.length} head-ends and ${headEnds.length * o.metersPerHeadEnd} meters`);

    // Warm-up outside the measurement: one small batch per lane primes the connection pool,
    // the schema id cache and the producer.
    const warm = await warmUp(url, runId, tenant, headEnds, smallWarmUpBlocksBack(o, headEnds.length));
    if (warm.length > 0) throw new Error(`warm-up failed: ${warm.slice(0, 3).join('; ')}`);

    // The notary re-verifies every batch against the registry, which it trusts only as signed by this operator key.
    notary = startNotaryChild({ ...env, IES_TENANTS: tenant, IES_OPERATOR_JWKS_FILE: jwksFile, IES_NOTARY_KEYS_DIR: path.join(workDir, 'notary-keys'), IES_LOG_LEVEL: 'warn' }, o.cpuProfDir);
    const gwConfig = loadConfig({ ...env, IES_TENANTS: tenant }, { principal: 'admin' });
    // The warm-up batches are in the log before the clock starts.
    await receiptLatencies(gwConfig, tenant, headEnds.length, 90_000, quietSink);
    console.log(`bench:ingest: notary pid ${notary.child.pid} running for ${tenant}`);
    let posted = headEnds.length;
    // Then full-size batches, notarised, before the clock: V8 compiles a process's hot path while
    // it first runs, a cost a long-running service pays once. The notary's append runs once a
    // second, so it gets hot slowly: after 600 warm-up batches V8 still spent 0.67 s compiling
    // (--trace-opt) in 3,000 timed ones, a third of the notary's CPU there. Their blocks lie
    // before every timed batch's.
    const warmup = await warmUpPhase(o, runId, tenant, headEnds, url, gatewayPids, notary.child.pid, async (count) => {
      posted += count;
      await receiptLatencies(gwConfig, tenant, posted, 90_000, quietSink);
    });

    // The timed batches are signed now, just before they are posted: their iat must stay
    // within the gateway's skew (±300 s) whatever the warm-up took.
    const batches = await prepareBatches(o, runId, tenant, headEnds);
    const totalReads = batches.reduce((n, b) => n + b.reads, 0);
    console.log(`bench:ingest: ${batches.length} batches (${totalReads} reads, ${(batches.reduce((n, b) => n + b.body.length, 0) / 1e6).toFixed(1)} MB of CSV) built and signed`);
    const notaryCpuBefore = childCpuSeconds(notary.child.pid);
    const lag = sampleLag(gwConfig, tenant, () => posted);

    const cpuBefore = treeCpuSeconds(gatewayPids);
    const clientCpuBefore = process.cpuUsage();
    console.log(`bench:ingest: gateway phase: ${batches.length} batches, concurrency ${o.concurrency}, at most ${o.seconds} s`);
    const gw = await runPhase(batches, o.concurrency, o.seconds, async (b) => {
      const problem = await postBatch(url, b);
      if (problem === undefined) posted += 1;
      return problem;
    });
    const phaseEnd = Date.now();
    const clientCpu = process.cpuUsage(clientCpuBefore);
    const cpuAfter = treeCpuSeconds(gatewayPids);
    await gateway.stop();
    gateway = undefined;
    const lagFigures = await lag.stop();
    const receipts = await receiptLatencies(gwConfig, tenant, posted, 180_000, quietSink);
    const notaryCpuSeconds = childCpuSeconds(notary.child.pid) - notaryCpuBefore;
    await notary.stop();
    notary = undefined;
    const notaryFigures = { ...lagFigures, latenciesMs: receipts.latenciesMs.slice(headEnds.length + warmup.batches), drainMs: Math.max(0, receipts.lastReceiptAt - phaseEnd), cpuUsPerRead: (notaryCpuSeconds * 1e6) / Math.max(1, gw.reads) };

    console.log('bench:ingest: raw kafkajs phase: encoding the same records');
    const raw = await rawCeiling(config, rawTenant, batches, o);

    printReport(o, { gw, raw, warmup, notary: notaryFigures, gatewayCpuSeconds: cpuAfter - cpuBefore, clientCpuSeconds: (clientCpu.user + clientCpu.system) / 1e6, tenant, cpuProfDir: o.cpuProfDir });
    const failed = gw.errors.length + raw.errors.length;
    if (failed > 0) {
      console.error(`bench:ingest: ${gw.errors.length} gateway request(s) and ${raw.errors.length} raw send(s) failed; first ones:`);
      for (const e of [...gw.errors, ...raw.errors].slice(0, 10)) console.error(`  ${e}`);
      return 1;
    }
    return 0;
  } catch (err) {
    console.error(`bench:ingest: ${(err as Error).stack ?? String(err)}`);
    return 1;
  } finally {
    clearTimeout(watchdog);
    if (gateway) await gateway.stop().catch(() => {});
    if (notary) await notary.stop().catch(() => {});
    process.removeListener('exit', killOnExit);
    process.removeListener('SIGINT', onSignal);
    process.removeListener('SIGTERM', onSignal);
    rmSync(workDir, { recursive: true, force: true });
  }
}

// --- gateway child process ----------------------------------------------------------------

export interface GatewayChild {
  child: ChildProcess;
  exited: Promise<number | null>;
  stop(): Promise<void>;
}

/** services/gateway/dist/src/bin.js, next to the package's entry point. */
function gatewayBin(): string {
  return fileURLToPath(new URL('./bin.js', import.meta.resolve('@ies/gateway')));
}

/** services/bench/dist/src/gateway-cluster.js: N gateways behind one port. */
function clusterBin(): string {
  return fileURLToPath(new URL('./gateway-cluster.js', import.meta.url));
}

export function startGatewayChild(env: Env, cpuProfDir: string | undefined, mode: 'single' | 'cluster' = 'single'): GatewayChild {
  const nodeArgs = cpuProfDir === undefined ? [] : ['--cpu-prof', `--cpu-prof-dir=${cpuProfDir}`];
  // Cluster workers inherit the primary's exec arguments (--cpu-prof included).
  const child = spawn(process.execPath, [...nodeArgs, mode === 'cluster' ? clusterBin() : gatewayBin()], { env: env as NodeJS.ProcessEnv, stdio: ['ignore', 'inherit', 'inherit'] });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return {
    child,
    exited,
    async stop() {
      if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
      process.kill(child.pid, 'SIGTERM');
      const timer = setTimeout(() => {
        if (child.pid !== undefined && child.exitCode === null && child.signalCode === null) process.kill(child.pid, 'SIGKILL');
      }, 15_000);
      await exited;
      clearTimeout(timer);
    },
  };
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

export async function waitReady(url: string, gw: GatewayChild, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last: string;
  let exitCode: number | null | undefined;
  void gw.exited.then((c) => { exitCode = c; });
  for (;;) {
    if (exitCode !== undefined) throw new Error(`the gateway child exited with status ${exitCode} before it was ready (see its log above)`);
    try {
      const res = await fetch(`${url}/readyz`, { signal: AbortSignal.timeout(2_000) });
      if (res.status === 200) return;
      last = `${res.status} ${(await res.text()).slice(0, 200)}`;
    } catch (err) {
      last = (err as Error).message;
    }
    if (Date.now() > deadline) throw new Error(`gateway at ${url} not ready within ${timeoutMs / 1000} s: ${last}`);
    await sleep(250);
  }
}

/**
 * The gateway's processes: the child itself, or the cluster primary and its N workers (from
 * /proc/<pid>/task/<pid>/children), once every worker answers /readyz.
 */
async function gatewayProcesses(gw: GatewayChild, workers: number, url: string): Promise<number[]> {
  const pid = gw.child.pid as number;
  if (workers === 1) return [pid];
  const deadline = Date.now() + 90_000;
  for (;;) {
    let children: number[];
    try {
      children = readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number);
    } catch {
      children = [];
    }
    if (children.length >= workers) {
      // Connections go round-robin to listening workers: 4 × N ready answers in a row.
      let ready = 0;
      for (let i = 0; i < 4 * workers; i += 1) if ((await fetch(`${url}/readyz`).catch(() => undefined))?.status === 200) ready += 1;
      if (ready === 4 * workers) return [pid, ...children];
    }
    if (Date.now() > deadline) throw new Error(`the gateway cluster did not start ${workers} ready workers within 90 s`);
    await sleep(250);
  }
}

/** CPU seconds (user + system) of processes, from /proc. */
function treeCpuSeconds(pids: readonly number[]): number {
  return pids.reduce((sum, p) => sum + childCpuSeconds(p), 0);
}

export async function scrapeCpuSeconds(url: string): Promise<number> {
  const res = await fetch(`${url}/metrics`, { signal: AbortSignal.timeout(10_000) });
  const text = await res.text();
  const m = /^ies_process_cpu_seconds_total\{[^}]*service="gateway"[^}]*\}\s+(\S+)/m.exec(text);
  if (!m) throw new Error(`GET /metrics has no ies_process_cpu_seconds_total{service="gateway"} (status ${res.status})`);
  return Number(m[1]);
}

// --- fleet, batches, posting ---------------------------------------------------------------

export async function register(url: string, tenant: string, operator: KeyPair, headEnds: readonly { id: string; key: KeyPair; meters: string[] }[]): Promise<void> {
  const lines = [`discom: ${tenant}`, 'participants:'];
  for (const h of headEnds) lines.push(`  - id: ${h.id}`, '    role: HEADEND', `    name: Benchmark head-end ${h.id}`, '    keys:', `      - ${JSON.stringify(h.key.publicJwk)}`);
  lines.push('meters:');
  for (const h of headEnds) for (const m of h.meters) lines.push(`  - ${JSON.stringify({ id: m, scheme: 'METER_SERIAL', headEnd: h.id, sanctionedLoadW: 5_000, derCapacityW: 3_000 })}`);
  const body = Buffer.from(`${lines.join('\n')}\n`);
  const signature = await signDetached(body, operator, { iat: Math.floor(Date.now() / 1000), jti: `BENCH-REG-${randomBytes(6).toString('hex')}`, htm: 'POST', htu: '/v1/registry', tenant });
  const res = await fetch(`${url}/v1/registry`, { method: 'POST', headers: { 'content-type': 'application/yaml', 'x-ies-signature': signature }, body, signal: AbortSignal.timeout(60_000) });
  if (res.status !== 200) throw new Error(`registering the benchmark fleet failed: ${res.status} ${(await res.text()).slice(0, 500)}`);
}

/** Latest 15-minute block that has ended a while ago, so no read is "in the future". */
function latestPastBlock(nowMs: number): number {
  return Math.floor(nowMs / BLOCK_MS) * BLOCK_MS - 2 * BLOCK_MS;
}

function toCsv(rows: readonly Row[]): string {
  let out = `${CSV_HEADER}\n`;
  for (const r of rows) out += `${r.meterId},${new Date(r.blockStart).toISOString()},${r.importWh},${r.exportWh},${r.status}\n`;
  return out;
}

/**
 * Batches round-robin over the lanes; each lane walks its meters block by block backwards
 * from the latest past block, so every (meter, block) appears once in the whole run and
 * every read passes VEE (plausible Wh, on the grid, in the past). `blocksBack` starts that walk
 * further back, so a later call for the same head-ends repeats no (meter, block) either.
 */
export async function prepareBatches(o: Pick<IngestBenchOptions, 'batches' | 'batchReads'>, runId: string, tenant: string, headEnds: readonly { id: string; key: KeyPair; meters: string[] }[], blocksBack = 0): Promise<PreparedBatch[]> {
  const nowMs = Date.now();
  const latest = latestPastBlock(nowMs) - blocksBack * BLOCK_MS;
  const iat = Math.floor(nowMs / 1000);
  const rowsPerBatch = o.batchReads / 2;
  const cursor = headEnds.map(() => 0);
  const rnd = createRandom(0x2545f491);
  const out: PreparedBatch[] = [];
  for (let i = 0; i < o.batches; i += 1) {
    const lane = i % headEnds.length;
    const h = headEnds[lane] as (typeof headEnds)[number];
    const rows: Row[] = [];
    for (let r = 0; r < rowsPerBatch; r += 1) {
      const k = cursor[lane] as number;
      cursor[lane] = k + 1;
      const meterId = h.meters[k % h.meters.length] as string;
      const blockStart = latest - Math.floor(k / h.meters.length) * BLOCK_MS;
      const solar = rnd() < 0.3;
      rows.push({ meterId, blockStart, importWh: solar ? 0 : Math.floor(rnd() * 900), exportWh: solar ? Math.floor(rnd() * 600) : 0, status: rnd() < 0.01 ? 'ESTIMATED' : 'VALID' });
    }
    const body = Buffer.from(toCsv(rows));
    const jti = `BENCH-${runId}-${lane}-${Math.floor(i / headEnds.length)}`;
    const signature = await signDetached(body, h.key, { iat, jti, htm: METER_DATA_WRITE.method, htu: METER_DATA_WRITE.path, tenant });
    out.push({ lane, jti, body, signature, rows, reads: rows.length * 2 });
  }
  return out;
}

async function warmUp(url: string, runId: string, tenant: string, headEnds: readonly { id: string; key: KeyPair; meters: string[] }[], blocksBack: number): Promise<string[]> {
  // A block earlier than any full-size batch's, so no (meter, block) repeats.
  const block = latestPastBlock(Date.now()) - blocksBack * BLOCK_MS;
  const results = await Promise.all(headEnds.map(async (h, lane) => {
    const rows: Row[] = h.meters.slice(0, 10).map((meterId) => ({ meterId, blockStart: block, importWh: 100, exportWh: 0, status: 'VALID' }));
    const body = Buffer.from(toCsv(rows));
    const jti = `BENCH-${runId}-WARM-${lane}`;
    const signature = await signDetached(body, h.key, { iat: Math.floor(Date.now() / 1000), jti, htm: METER_DATA_WRITE.method, htu: METER_DATA_WRITE.path, tenant });
    return postBatch(url, { lane, jti, body, signature, rows, reads: rows.length * 2 });
  }));
  return results.filter((r): r is string => r !== undefined);
}

interface WarmupFigures {
  batches: number;
  /** True when the warm-up phase hit --seconds before posting every batch. */
  stoppedByTime: boolean;
  /** CPU µs per read of the gateways and of the notary over the warm-up (compiling included). */
  gatewayCpuUsPerRead: number;
  notaryCpuUsPerRead: number;
}

/** Blocks per lane a phase of `batches` batches walks back from its latest block (prepareBatches). */
function blocksPerLane(o: IngestBenchOptions, batches: number, lanes: number): number {
  return Math.ceil((Math.ceil(batches / lanes) * (o.batchReads / 2)) / o.metersPerHeadEnd);
}

/** How far back the small per-lane warm-up's one block lies: 60 days, or past both walks if they reach further. */
function smallWarmUpBlocksBack(o: IngestBenchOptions, lanes: number): number {
  return Math.max(2 * 96 * 30, blocksPerLane(o, o.batches, lanes) + blocksPerLane(o, o.warmupBatches, lanes) + 2);
}

/**
 * Posts --warmup-batches full-size batches and waits (`notarised`) until the notary has given
 * each its receipt, so the CPU the notary spends on them is counted here, not in the timed phase.
 */
async function warmUpPhase(o: IngestBenchOptions, runId: string, tenant: string, headEnds: readonly { id: string; key: KeyPair; meters: string[] }[], url: string, gatewayPids: readonly number[], notaryPid: number | undefined, notarised: (count: number) => Promise<void>): Promise<WarmupFigures> {
  if (o.warmupBatches === 0) return { batches: 0, stoppedByTime: false, gatewayCpuUsPerRead: Number.NaN, notaryCpuUsPerRead: Number.NaN };
  // The timed batches, signed after this phase, walk back from a latest block at least as late
  // as this one's: starting one block past their walk keeps every (meter, block) in one batch.
  const batches = await prepareBatches({ batches: o.warmupBatches, batchReads: o.batchReads }, `${runId}W`, tenant, headEnds, blocksPerLane(o, o.batches, headEnds.length) + 1);
  console.log(`bench:ingest: warm-up: ${batches.length} batches before the clock starts`);
  const gatewayBefore = treeCpuSeconds(gatewayPids);
  const notaryBefore = childCpuSeconds(notaryPid);
  const r = await runPhase(batches, o.concurrency, o.seconds, (b) => postBatch(url, b));
  if (r.errors.length > 0) throw new Error(`warm-up failed: ${r.errors.slice(0, 3).join('; ')}`);
  const gatewayCpu = treeCpuSeconds(gatewayPids) - gatewayBefore;
  await notarised(r.batches);
  const perRead = (seconds: number) => (seconds * 1e6) / Math.max(1, r.reads);
  return { batches: r.batches, stoppedByTime: r.stoppedByTime, gatewayCpuUsPerRead: perRead(gatewayCpu), notaryCpuUsPerRead: perRead(childCpuSeconds(notaryPid) - notaryBefore) };
}

/** 503 answers honoured (Retry-After, then the same signed batch again), as a head-end does. */
export const throttle = { retries: 0 };

/** Posts one batch; undefined when the gateway answered 202 with every read accepted, else the problem. */
export async function postBatch(url: string, b: PreparedBatch): Promise<string | undefined> {
  let res: PostAnswer;
  for (let attempt = 0; ; attempt++) {
    try {
      res = await post(url, '/v1/meter-data', { 'content-type': 'text/csv', 'x-ies-signature': b.signature }, b.body, REQUEST_TIMEOUT_MS);
    } catch (err) {
      return `${b.jti}: ${(err as Error).message}`;
    }
    if (res.status !== 503 || attempt >= 20) break;
    throttle.retries += 1;
    await sleep(1000 * Number(res.headers['retry-after'] ?? 1));
  }
  const { text } = res;
  if (res.status !== 202) return `${b.jti}: HTTP ${res.status} ${text.slice(0, 300)}`;
  if (res.headers['idempotent-replayed'] === 'true') return `${b.jti}: answered as a replay`;
  const counts = (JSON.parse(text) as { counts?: { accepted?: number } }).counts;
  if (counts?.accepted !== b.reads) return `${b.jti}: 202 but ${counts?.accepted} of ${b.reads} reads accepted: ${text.slice(0, 300)}`;
  return undefined;
}

/**
 * Lane L sends the batches with index ≡ L (mod concurrency), one at a time; no lane starts a
 * new request after the deadline (in-flight ones finish, bounded by the request timeout).
 */
export async function runPhase(batches: readonly PreparedBatch[], concurrency: number, seconds: number, send: (b: PreparedBatch) => Promise<string | undefined>): Promise<PhaseResult> {
  const result: PhaseResult = { batches: 0, reads: 0, elapsedMs: 0, latenciesMs: [], errors: [], stoppedByTime: false };
  const t0 = performance.now();
  const deadline = t0 + seconds * 1000;
  let next = 0;
  let lastDone = t0;
  async function lane(): Promise<void> {
    while (next < batches.length) {
      if (performance.now() >= deadline) {
        result.stoppedByTime = true;
        return;
      }
      const b = batches[next++] as PreparedBatch;
      const started = performance.now();
      const problem = await send(b);
      const ended = performance.now();
      lastDone = Math.max(lastDone, ended);
      if (problem === undefined) {
        result.latenciesMs.push(ended - started);
        result.batches += 1;
        result.reads += b.reads;
      } else result.errors.push(problem);
    }
  }
  await Promise.all(Array.from({ length: concurrency }, lane));
  result.elapsedMs = lastDone - t0;
  return result;
}

// --- raw kafkajs ceiling ---------------------------------------------------------------------

async function rawCeiling(config: ReturnType<typeof loadConfig>, rawTenant: string, batches: readonly PreparedBatch[], o: IngestBenchOptions): Promise<PhaseResult> {
  const kafka = createKafka(config, quietSink);
  const admin = kafka.admin();
  await admin.connect();
  const producer = createIdempotentProducer(kafka);
  try {
    await ensureTenantTopics(admin, rawTenant, config.kafka.replicationFactor);
    const serde = new AvroSerde({ registryUrl: config.registry.url });
    const topic = topicName(rawTenant, TOPICS.meterBatches);
    const receivedAt = Date.now();
    // The records the gateway would write for the same batches, encoded before the clock starts.
    const encoded: { key: string; value: Buffer; batch: PreparedBatch }[] = [];
    for (const b of batches) {
      const batchId = `BENCH-HES-${String(b.lane + 1).padStart(3, '0')}:${b.jti}`;
      const reads = b.rows.flatMap((r) => [
        { meterId: r.meterId, blockStart: r.blockStart, channel: 'IMPORT' as const, wh: r.importWh, validationStatus: r.status, source: 'HES' },
        { meterId: r.meterId, blockStart: r.blockStart, channel: 'EXPORT' as const, wh: r.exportWh, validationStatus: r.status, source: 'HES' },
      ]);
      const value = await serde.encode(rawTenant, TOPICS.meterBatches, {
        batchId,
        discomId: rawTenant,
        headEndId: `BENCH-HES-${String(b.lane + 1).padStart(3, '0')}`,
        receivedAt,
        format: 'COMPACT_CSV',
        bodySha256: createHash('sha256').update(b.body).digest('hex'),
        signature: b.signature,
        body: b.body,
        reads,
        // The same bytes the gateway writes, its batch root included (computed before the clock starts).
        batchRoot: Buffer.from(batchRootOf(rawTenant, reads)).toString('base64'),
        readCount: reads.length,
      });
      encoded.push({ key: batchId, value, batch: b });
    }
    await producer.connect();
    // Warm-up: one record, so metadata and the producer id are fetched outside the clock.
    await producer.send({ topic, acks: ACKS_ALL, messages: [{ key: `warm-${rawTenant}`, value: encoded[0]?.value ?? Buffer.alloc(0) }] });
    console.log(`bench:ingest: raw kafkajs phase: ${encoded.length} records to ${topic}, concurrency ${o.concurrency}, at most ${o.seconds} s`);
    const byBatch = new Map(encoded.map((e) => [e.batch, e]));
    return await runPhase(batches, o.concurrency, o.seconds, async (b) => {
      const e = byBatch.get(b) as (typeof encoded)[number];
      try {
        await producer.sendBatch({ acks: ACKS_ALL, topicMessages: [{ topic, messages: [{ key: e.key, value: e.value }] }] });
        return undefined;
      } catch (err) {
        return `raw ${e.key}: ${(err as Error).message}`;
      }
    });
  } finally {
    await producer.disconnect().catch(() => {});
    await admin.disconnect().catch(() => {});
  }
}

// --- report ------------------------------------------------------------------------------------

export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(p * sorted.length) - 1))] as number;
}

function printReport(o: IngestBenchOptions, r: { gw: PhaseResult; raw: PhaseResult; warmup: WarmupFigures; notary: { maxLag: number; lagAtEnd: number; latenciesMs: number[]; drainMs: number; cpuUsPerRead: number }; gatewayCpuSeconds: number; clientCpuSeconds: number; tenant: string; cpuProfDir: string | undefined }): void {
  const { gw, raw } = r;
  const receiptLat = [...r.notary.latenciesMs].sort((a, b) => a - b);
  const lat = [...gw.latenciesMs].sort((a, b) => a - b);
  const rate = (p: PhaseResult) => (p.elapsedMs > 0 ? p.reads / (p.elapsedMs / 1000) : 0);
  const gwRate = rate(gw);
  const rawRate = rate(raw);
  const p50 = percentile(lat, 0.5);
  const p99 = percentile(lat, 0.99);
  const max = lat.length > 0 ? (lat[lat.length - 1] as number) : Number.NaN;
  const cpuUsPerRead = gw.reads > 0 ? (r.gatewayCpuSeconds * 1e6) / gw.reads : Number.NaN;
  const clientUsPerRead = gw.reads > 0 ? (r.clientCpuSeconds * 1e6) / gw.reads : Number.NaN;
  const ratio = rawRate > 0 ? gwRate / rawRate : Number.NaN;
  const n = (v: number, digits = 0) => (Number.isFinite(v) ? v.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits }) : 'n/a');
  const verdict = (ok: boolean) => (ok ? 'met' : 'NOT MET');
  const cpus = os.cpus();
  const rows: [string, string, string, string][] = [
    ['warm-up before the clock', r.warmup.batches === 0 ? 'none (--warmup-batches 0)' : `${n(r.warmup.batches)} batches${r.warmup.stoppedByTime ? ` of ${n(o.warmupBatches)} (time limit)` : ''}: gateway ${n(r.warmup.gatewayCpuUsPerRead, 2)} µs, notary ${n(r.warmup.notaryCpuUsPerRead, 2)} µs CPU per read`, '', 'V8 compiling the hot path; not in the figures below'],
    ['batches posted (202)', `${n(gw.batches)} of ${n(o.batches)}${gw.stoppedByTime ? ' (time limit)' : ''}`, '', ''],
    ['reads accepted', n(gw.reads), '', ''],
    ['errors (non-202 / failed)', n(gw.errors.length), '0', verdict(gw.errors.length === 0)],
    ['elapsed', `${n(gw.elapsedMs / 1000, 2)} s`, `≤ ${o.seconds} s`, ''],
    ['sustained reads/s (notarised)', n(gwRate), `≥ ${n(TARGETS.readsPerSecond)}`, verdict(gwRate >= TARGETS.readsPerSecond)],
    ['gateway processes', `${o.gateways}${o.gateways > 1 ? ' (node:cluster, one port)' : ''}`, '', ''],
    ['reads/s per gateway process', n(gwRate / o.gateways), '', ''],
    ['reads per gateway CPU-second', n(gw.reads / r.gatewayCpuSeconds), '', `${n(r.gatewayCpuSeconds / Math.max(1e-9, gw.elapsedMs / 1000), 2)} cores busy in the gateways`],
    ['latency p50 (ms)', n(p50, 1), '', ''],
    ['latency p99 (ms)', n(p99, 1), `≤ ${TARGETS.p99Ms}`, verdict(p99 <= TARGETS.p99Ms)],
    ['latency max (ms)', n(max, 1), '', ''],
    ['gateway CPU per read', `${n(cpuUsPerRead, 2)} µs`, `≤ ${TARGETS.gatewayCpuUsPerRead} µs`, verdict(cpuUsPerRead <= TARGETS.gatewayCpuUsPerRead)],
    ['gateway CPU (total)', `${n(r.gatewayCpuSeconds, 2)} s`, '', ''],
    ['load generator CPU per read', `${n(clientUsPerRead, 2)} µs`, '', ''],
    ['raw kafkajs ceiling reads/s', `${n(rawRate)} (${n(raw.batches)} records, ${n(raw.elapsedMs / 1000, 2)} s)`, '', ''],
    ['ratio notarised / raw', n(ratio, 2), `≥ ${TARGETS.ratioToRaw}`, verdict(ratio >= TARGETS.ratioToRaw)],
    ['receipt latency p50 (ms)', n(percentile(receiptLat, 0.5)), '', ''],
    ['receipt latency p99 (ms)', n(percentile(receiptLat, 0.99)), `≤ ${n(TARGETS.receiptP99Ms)}`, verdict(percentile(receiptLat, 0.99) <= TARGETS.receiptP99Ms)],
    ['receipt latency max (ms)', n(receiptLat[receiptLat.length - 1] ?? Number.NaN), '', ''],
    ['notary lag: max / at phase end', `${n(r.notary.maxLag)} / ${n(r.notary.lagAtEnd)} batches`, 'no growing lag', ''],
    ['notary drain after the phase', `${n(r.notary.drainMs)} ms`, '', ''],
    ['notary CPU per read', `${n(r.notary.cpuUsPerRead, 2)} µs`, `≤ ${TARGETS.notaryCpuUsPerRead} µs`, verdict(r.notary.cpuUsPerRead <= TARGETS.notaryCpuUsPerRead)],
    ['503 back-pressure retries', n(throttle.retries), '', 'the gateway holds head-ends back while the notary is behind'],
  ];
  const w = [0, 1, 2, 3].map((i) => Math.max(...rows.map((row) => row[i]?.length ?? 0), ['figure', 'measured', 'target', ''][i]?.length ?? 0));
  const line = (c: readonly string[]) => c.map((x, i) => x.padEnd(w[i] as number)).join('  ').trimEnd();
  console.log('');
  console.log('ies-backbone ingest benchmark: POST /v1/meter-data (signed compact CSV → Avro → Kafka acks=all) vs raw kafkajs');
  console.log(`machine   ${cpus.length} cores (${cpus[0]?.model.trim() ?? 'unknown'}), ${n(os.totalmem() / 1024 ** 3, 1)} GiB RAM, Node ${process.version}, ${os.platform()} ${os.arch()}`);
  console.log(`run       ${n(o.batches)} batches × ${n(o.batchReads)} reads, concurrency ${o.concurrency} (one head-end each, ${o.metersPerHeadEnd} meters each), limit ${o.seconds} s per phase, tenant ${r.tenant}`);
  console.log('          the load generator, the gateway, Kafka, Redis and the registry share the same cores');
  console.log(`          batch roots computed by ${BATCH_ROOT_IMPLEMENTATION === 'native' ? "the notary's native module (services/notary/native)" : 'node:crypto (the native module is not built)'}`);
  console.log('');
  console.log(line(['figure', 'measured', 'target', '']));
  console.log(line(w.map((x) => '-'.repeat(x))));
  for (const row of rows) console.log(line(row));
  console.log(`load      ${os.loadavg().map((l) => l.toFixed(2)).join(' ')} (1, 5, 15 min) at the end of the run`);
  if (r.cpuProfDir !== undefined) console.log(`\ngateway CPU profile (.cpuprofile) written to ${r.cpuProfDir}`);
  const stage = o.gateways > 1 ? `ingest (${o.gateways} gateways)` : 'ingest';
  recordBenchFigure({ stage, metric: 'notarised reads/s', value: Math.round(gwRate), unit: 'reads/s', ceiling: Math.round(rawRate), ceilingLabel: 'raw kafkajs produce of the same records', target: { kind: 'ratio-at-least', value: TARGETS.ratioToRaw } });
  recordBenchFigure({ stage, metric: 'gateway CPU per read', value: round2(cpuUsPerRead), unit: 'µs', ceiling: null, target: { kind: 'at-most', value: TARGETS.gatewayCpuUsPerRead } });
  recordBenchFigure({ stage, metric: 'notary CPU per read', value: round2(r.notary.cpuUsPerRead), unit: 'µs', ceiling: null, target: { kind: 'at-most', value: TARGETS.notaryCpuUsPerRead } });
  recordBenchFigure({ stage, metric: 'receipt latency p99', value: percentile(receiptLat, 0.99), unit: 'ms', ceiling: null, target: { kind: 'at-most', value: TARGETS.receiptP99Ms } });
  if (o.gateways > 1) recordBenchFigure({ stage, metric: 'reads/s per gateway process', value: Math.round(gwRate / o.gateways), unit: 'reads/s', ceiling: null, target: null });
}

const round2 = (v: number) => Math.round(v * 100) / 100;

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
