import { readFile } from 'node:fs/promises';
import { METER_DATA_WRITE } from '@ies/contracts';
import { DAY_MS, istDayOf } from '@ies/units';
import { signCredential, type PrivateEd25519Jwk, type ProofKind } from '@ies/credentials';
import { exportPrivateJwk, generateSigningKey, importPrivateJwk, signDetached, type KeyPair } from '@ies/crypto';
import { buildFleet, injectFaults, istDayStart, meterDay, toCsv, type Fault, type SimMeter, type SimRow } from '../domain/fleet.js';
import { unsignedMeterDataCredential } from '../domain/meterdata-credential.js';
import { option, parseArgs } from './args.js';

export interface SimulationOptions {
  gatewayUrl: string;
  discom: string;
  meters: number;
  headEnds: number;
  day: string;
  seed: number;
  batchReads: number;
  concurrency: number;
  /** Reads per second to offer; 0 = as fast as the gateway takes them. */
  rate: number;
  operatorKeyFile: string;
  register: boolean;
  progress: boolean;
  /** Share of rows turned into head-end faults (negative, unregistered meter, duplicate, off-grid). */
  faultRate: number;
  /** Fleet id prefix (default SIM<seed>). */
  idPrefix?: string;
  /** A DR response window applied to every meter of the fleet (see meterDay). */
  response?: { start: number; end: number; factor: number };
  /** Share of blocks the head-ends never send (default 0.005); 0 for a day whose gaps VEE already filled. */
  gapRate?: number;
  /**
   * How each batch is sent: `jws` (default) compact CSV with a detached JWS; `vc` IES MeterData
   * v0.6 wrapped in a MeterDataCredential whose proof (`proof`) is by the head-end's key, its
   * registry `did` the issuer (docs/ingest.md section 5).
   */
  envelope?: 'jws' | 'vc';
  /** The credential proof for `envelope: 'vc'` (default eddsa-jcs-2022). */
  proof?: ProofKind;
  /** Rows the head-ends keep back (a read that arrives late): posted by `postHeldBack` of the summary. */
  holdBack?: (row: SimRow) => boolean;
}

/** The did:web DID a simulated head-end issues its credentials under. */
export function simulatedHeadEndDid(discom: string, headEndId: string): string {
  return `did:web:sim.ies.example:${discom}:${headEndId}`;
}

export interface SimulationSummary {
  batches: number;
  reads: number;
  accepted: number;
  rejected: number;
  rejectedByCode: Record<string, number>;
  injectedFaults: Record<Fault, number>;
  replayed: number;
  retried: number;
  failedBatches: number;
  failures: string[];
  elapsedMs: number;
  latencyMs: { p50: number; p99: number; max: number };
  /** Rows kept back by `holdBack`, and how to send them now (signed by their head-end's key): resolves with the reads accepted. */
  heldBack: number;
  postHeldBack: () => Promise<number>;
}

const USAGE = `usage: ies simulate [--discom DEMO-DL] [--meters 2000] [--headends 4] [--day YYYY-MM-DD] [--seed 42]
                    [--batch-reads 1000] [--concurrency 8] [--rate 0] [--faults 0.001] [--url http://127.0.0.1:8080]
                    [--operator-key .stack/keys/operator.private.jwk.json] [--no-register]
                    [--envelope jws|vc] [--proof eddsa-jcs-2022|Ed25519Signature2020]
  registers a seeded fleet of head-ends and meters (residential, commercial, rooftop-PV prosumers),
  then posts one IST day of signed 15-minute reads: compact CSV batches with a detached JWS
  (--envelope jws, the default), or IES MeterData v0.6 in MeterDataCredentials (--envelope vc:
  each head-end registered with a did:web DID; no head-end faults are injected).`;

/** Yesterday as an IST date (YYYY-MM-DD): a full day whose blocks are all in the past. */
export function yesterdayIst(nowMs = Date.now()): string {
  return istDayOf(nowMs - DAY_MS);
}

export async function runSimulateCommand(argv: readonly string[], env: Readonly<Record<string, string | undefined>>): Promise<number> {
  const args = parseArgs(argv);
  if (args.options.has('help')) {
    console.log(USAGE);
    return 0;
  }
  const num = (name: string, fallback: number) => {
    const v = Number(option(args, name, String(fallback)));
    if (!Number.isFinite(v) || v < 0) throw new Error(`--${name} must be a non-negative number`);
    return v;
  };
  const summary = await simulate({
    gatewayUrl: option(args, 'url', env.IES_GATEWAY_URL ?? 'http://127.0.0.1:8080'),
    discom: option(args, 'discom', 'DEMO-DL'),
    meters: num('meters', 2000),
    headEnds: Math.max(1, num('headends', 4)),
    day: option(args, 'day', yesterdayIst()),
    seed: num('seed', 42),
    batchReads: Math.max(2, num('batch-reads', 1000)),
    concurrency: Math.max(1, num('concurrency', 8)),
    rate: num('rate', 0),
    operatorKeyFile: option(args, 'operator-key', '.stack/keys/operator.private.jwk.json'),
    register: !args.options.has('no-register'),
    progress: true,
    faultRate: num('faults', 0.001),
    envelope: envelopeOf(option(args, 'envelope', 'jws')),
    proof: proofOf(option(args, 'proof', 'eddsa-jcs-2022')),
  });
  printSummary(summary);
  return summary.failedBatches === 0 ? 0 : 1;
}

function envelopeOf(v: string): 'jws' | 'vc' {
  if (v !== 'jws' && v !== 'vc') throw new Error(`--envelope must be jws or vc, not ${v}`);
  return v;
}

function proofOf(v: string): ProofKind {
  if (v !== 'eddsa-jcs-2022' && v !== 'Ed25519Signature2020') throw new Error(`--proof must be eddsa-jcs-2022 or Ed25519Signature2020, not ${v}`);
  return v;
}

export function printSummary(s: SimulationSummary): void {
  const secs = s.elapsedMs / 1000;
  console.log(`\nbatches ${s.batches} (${s.replayed} replayed, ${s.retried} retried, ${s.failedBatches} failed)`);
  console.log(`reads   ${s.reads} offered, ${s.accepted} accepted, ${s.rejected} rejected`);
  const injected = Object.entries(s.injectedFaults).filter(([, n]) => n > 0).map(([f, n]) => `${n} ${f}`);
  if (injected.length > 0) console.log(`        injected head-end faults: ${injected.join(', ')}; rejected by code:`);
  for (const [code, n] of Object.entries(s.rejectedByCode).sort()) console.log(`        ${String(n).padStart(8)} ${code}`);
  console.log(`time    ${secs.toFixed(1)} s, ${Math.round(s.reads / Math.max(secs, 0.001))} reads/s; batch latency p50 ${s.latencyMs.p50} ms, p99 ${s.latencyMs.p99} ms, max ${s.latencyMs.max} ms`);
  for (const f of s.failures.slice(0, 5)) console.log(`failure ${f}`);
}

/** Registers the fleet, then posts the day's batches; resolves with the figures. */
export async function simulate(o: SimulationOptions): Promise<SimulationSummary> {
  const fleet = buildFleet({ seed: o.seed, meters: o.meters, headEnds: o.headEnds, idPrefix: o.idPrefix ?? `SIM${o.seed}` });
  const headEndIds = [...new Set(fleet.map((m) => m.headEndId))];
  const keys = new Map<string, KeyPair>();
  for (const id of headEndIds) keys.set(id, await generateSigningKey('EdDSA'));
  if (o.register) await registerFleet(o, fleet, keys);

  const dayStart = istDayStart(o.day);
  const rowsPerBatch = Math.max(1, Math.floor(o.batchReads / 2));
  const jobs: { headEndId: string; n: number; rows: SimRow[] }[] = [];
  const injectedFaults: Record<Fault, number> = { NEGATIVE: 0, UNKNOWN_METER: 0, DUPLICATE: 0, MISALIGNED: 0 };
  const held: { headEndId: string; row: SimRow }[] = [];
  for (const headEndId of headEndIds) {
    let rows: SimRow[] = [];
    let n = 0;
    for (const meter of fleet.filter((m) => m.headEndId === headEndId)) {
      // A credential carries IES MeterData, whose profile rules would refuse a whole batch over one injected fault.
      const day = injectFaults(meterDay(meter, dayStart, { seed: o.seed, ...(o.response ? { response: o.response } : {}), ...(o.gapRate !== undefined ? { gapRate: o.gapRate } : {}) }), o.envelope === 'vc' ? 0 : o.faultRate, o.seed ^ meter.meterId.length ^ Number(meter.meterId.slice(-7)));
      for (const [f, count] of Object.entries(day.faults)) injectedFaults[f as Fault] += count;
      for (const row of day.rows) {
        if (o.holdBack?.(row) === true) {
          held.push({ headEndId, row });
          continue;
        }
        rows.push(row);
        if (rows.length === rowsPerBatch) {
          jobs.push({ headEndId, n: n++, rows });
          rows = [];
        }
      }
    }
    if (rows.length > 0) jobs.push({ headEndId, n, rows });
  }

  const postHeldBack = async (): Promise<number> => {
    let accepted = 0;
    for (const headEndId of new Set(held.map((h) => h.headEndId))) {
      const rows = held.filter((h) => h.headEndId === headEndId).map((h) => h.row);
      const outcome = await postWithRetry(o.gatewayUrl, Buffer.from(toCsv(rows)), keys.get(headEndId), `SIM-${o.seed}-${o.meters}m-${o.day}-${headEndId}-late`, o.discom);
      if (outcome.status !== 202) throw new Error(`the late batch of ${headEndId} was refused: HTTP ${outcome.status} ${JSON.stringify(outcome.body).slice(0, 300)}`);
      accepted += (outcome.body as { counts: { accepted: number } }).counts.accepted;
    }
    return accepted;
  };
  const summary: SimulationSummary = { batches: jobs.length, reads: 0, accepted: 0, rejected: 0, rejectedByCode: {}, injectedFaults, replayed: 0, retried: 0, failedBatches: 0, failures: [], elapsedMs: 0, latencyMs: { p50: 0, p99: 0, max: 0 }, heldBack: held.length, postHeldBack };
  const latencies: number[] = [];
  const t0 = performance.now();
  let next = 0;
  let done = 0;
  let offered = 0;
  const progress = o.progress ? startProgress(() => ({ done, total: jobs.length, reads: summary.reads, t0 })) : undefined;

  async function worker(): Promise<void> {
    while (next < jobs.length) {
      const job = jobs[next++] as (typeof jobs)[number];
      const reads = job.rows.length * 2;
      if (o.rate > 0) {
        offered += reads;
        const due = t0 + (offered / o.rate) * 1000;
        const wait = due - performance.now();
        if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      }
      // The fleet size is part of the id: another size is another fleet, not a replay of this one.
      const jti = `SIM-${o.seed}-${o.meters}m-${o.day}-${job.headEndId}-${job.n}`;
      const key = keys.get(job.headEndId) as KeyPair;
      const started = performance.now();
      const outcome =
        o.envelope === 'vc'
          ? await postCredentialWithRetry(o.gatewayUrl, await credentialBody(o, job.headEndId, key, `urn:ies-sim:${jti}`, job.rows))
          : await postWithRetry(o.gatewayUrl, Buffer.from(toCsv(job.rows)), key, jti, o.discom);
      latencies.push(performance.now() - started);
      summary.reads += reads;
      summary.retried += outcome.retries;
      if (outcome.status === 202) {
        const b = outcome.body as { counts: { accepted: number; rejected: number }; rejected: { code: string }[] };
        summary.accepted += b.counts.accepted;
        summary.rejected += b.counts.rejected;
        for (const r of b.rejected) summary.rejectedByCode[r.code] = (summary.rejectedByCode[r.code] ?? 0) + 1;
        if (outcome.replayed) summary.replayed += 1;
      } else {
        summary.failedBatches += 1;
        summary.failures.push(`${jti}: HTTP ${outcome.status} ${JSON.stringify(outcome.body).slice(0, 300)}`);
      }
      done += 1;
    }
  }
  await Promise.all(Array.from({ length: o.concurrency }, worker));
  progress?.stop();
  summary.elapsedMs = Math.round(performance.now() - t0);
  latencies.sort((a, b) => a - b);
  const pct = (p: number) => Math.round(latencies[Math.min(latencies.length - 1, Math.floor(p * latencies.length))] ?? 0);
  summary.latencyMs = { p50: pct(0.5), p99: pct(0.99), max: Math.round(latencies[latencies.length - 1] ?? 0) };
  return summary;
}

/** A batch as a signed MeterDataCredential: its id is the batch id's second half. */
async function credentialBody(o: SimulationOptions, headEndId: string, key: KeyPair, id: string, rows: readonly SimRow[]): Promise<Buffer> {
  const issuerDid = simulatedHeadEndDid(o.discom, headEndId);
  const kind = o.proof ?? 'eddsa-jcs-2022';
  const unsigned = unsignedMeterDataCredential({ id, issuerDid, issuerName: `Simulated head-end ${headEndId}`, rows, nowMs: Date.now(), kind });
  const jwk = (await exportPrivateJwk(key)) as unknown as PrivateEd25519Jwk;
  return Buffer.from(JSON.stringify(await signCredential(unsigned, jwk, issuerDid, kind)));
}

/** The same credential is sent again on 503: the gateway answers a repeat as a replay. */
function postCredentialWithRetry(url: string, body: Buffer) {
  return postWithRetry(url, body, undefined, '', '');
}

async function postWithRetry(url: string, body: Buffer, key: KeyPair | undefined, jti: string, tenant: string, attempts = 5): Promise<{ status: number; body: unknown; replayed: boolean; retries: number }> {
  for (let attempt = 0; ; attempt += 1) {
    const headers: Record<string, string> = key === undefined
      ? { 'content-type': 'application/vc' }
      : { 'content-type': 'text/csv', 'x-ies-signature': await signDetached(body, key, { iat: Math.floor(Date.now() / 1000), jti, htm: METER_DATA_WRITE.method, htu: METER_DATA_WRITE.path, tenant }) };
    let res: Response;
    try {
      res = await fetch(`${url}/v1/meter-data`, { method: 'POST', headers, body });
    } catch (err) {
      if (attempt + 1 >= attempts) return { status: 0, body: { error: (err as Error).message }, replayed: false, retries: attempt };
      await new Promise((r) => setTimeout(r, 500 * 2 ** attempt));
      continue;
    }
    const parsed = (await res.json().catch(() => ({}))) as unknown;
    if (res.status === 503 && attempt + 1 < attempts) {
      const after = Number(res.headers.get('retry-after') ?? '1');
      await new Promise((r) => setTimeout(r, Math.min(30, after) * 1000));
      continue;
    }
    return { status: res.status, body: parsed, replayed: res.headers.get('idempotent-replayed') === 'true', retries: attempt };
  }
}

async function registerFleet(o: SimulationOptions, fleet: readonly SimMeter[], keys: Map<string, KeyPair>): Promise<void> {
  const operator = await importPrivateJwk(JSON.parse(await readFile(o.operatorKeyFile, 'utf8')));
  const lines = [`discom: ${o.discom}`, 'participants:'];
  for (const [id, key] of keys) {
    lines.push(`  - id: ${id}`, '    role: HEADEND', `    name: Simulated head-end ${id}`, ...(o.envelope === 'vc' ? [`    did: ${simulatedHeadEndDid(o.discom, id)}`] : []), '    keys:', `      - ${JSON.stringify(key.publicJwk)}`);
  }
  lines.push('meters:');
  for (const m of fleet) {
    lines.push(`  - ${JSON.stringify({ id: m.meterId, scheme: 'METER_SERIAL', headEnd: m.headEndId, sanctionedLoadW: m.sanctionedLoadW, ...(m.pvCapacityW > 0 ? { derCapacityW: m.pvCapacityW } : {}) })}`);
  }
  const body = Buffer.from(`${lines.join('\n')}\n`);
  const signature = await signDetached(body, operator, { iat: Math.floor(Date.now() / 1000), jti: `SIM-REG-${o.seed}-${Date.now()}`, htm: 'POST', htu: '/v1/registry', tenant: o.discom });
  const res = await fetch(`${o.gatewayUrl}/v1/registry`, { method: 'POST', headers: { 'content-type': 'application/yaml', 'x-ies-signature': signature }, body });
  if (!res.ok) throw new Error(`registering the simulated fleet failed: ${res.status} ${await res.text()}`);
}

function startProgress(state: () => { done: number; total: number; reads: number; t0: number }): { stop(): void } {
  const tty = process.stderr.isTTY === true;
  const draw = (final = false) => {
    const s = state();
    const frac = s.total === 0 ? 1 : s.done / s.total;
    const secs = (performance.now() - s.t0) / 1000;
    const bar = '#'.repeat(Math.round(frac * 30)).padEnd(30, '.');
    const line = `[${bar}] ${(frac * 100).toFixed(0).padStart(3)}%  ${s.done}/${s.total} batches  ${Math.round(s.reads / Math.max(secs, 0.001))} reads/s`;
    if (tty) process.stderr.write(`\r${line}${final ? '\n' : ''}`);
    else process.stderr.write(`${line}\n`);
  };
  const timer = setInterval(draw, tty ? 200 : 2000);
  return {
    stop() {
      clearInterval(timer);
      draw(true);
    },
  };
}
