// A head-end the project did not write: the Java client of clients/java-headend (Nimbus JOSE
// + JWT, following docs/ingest.md alone) run as its own process against a listening gateway
// on the real stack, with the notary appending its batches. Built once into .cache/ by
// clients/java-headend/build.sh (a no-op when the jar is up to date).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { SignJWT } from 'jose';
import { TOPICS, topicName } from '@ies/contracts';
import { importPrivateJwk } from '@ies/crypto';
import { replayTopic } from '@ies/kafka';
import { startNotaryService } from '@ies/notary';
import { createLogger } from '@ies/observability';
import { nullStream } from '@ies/testing';
import { trustFromVerifierKeys, verifyReceipt } from '@ies/verify';
import { CSV_HEADER, istBlocks, startHarness, type Json } from './harness.js';

const ROOT = fileURLToPath(new URL('../../../../../', import.meta.url));
const HEAD_END = 'HES-JAVA';
// Far longer than the JVM takes to start and send (0.2 s here), so its first attempt meets the rebuild even on a loaded machine.
const LEDGER_GRACE_MS = 10_000;

let h: Awaited<ReturnType<typeof startHarness>>;
let notary: Awaited<ReturnType<typeof startNotaryService>>;
let tenant: string;
let baseUrl: string;
let jar: string;
let dir: string;
let privateKeyFile: string;
const blocks = istBlocks(6);
const csvJti = `csv-${randomUUID()}`;
const jsonJti = `ies-${randomUUID()}`;

interface Run { code: number; stdout: string; stderr: string; summary: Json }

/** Runs a command as its own process without blocking this one's event loop (the gateway answers from it). */
function exec(file: string, args: string[], timeoutMs: number): Promise<Run> {
  return new Promise((resolve, reject) => {
    execFile(file, args, { cwd: ROOT, timeout: timeoutMs, maxBuffer: 4 << 20 }, (err, stdout, stderr) => {
      const code = err ? (typeof err.code === 'number' ? err.code : -1) : 0;
      if (err && code === -1) return reject(new Error(`${file} ${args.join(' ')}: ${err.message}\n${stderr}`));
      const last = stdout.trim().split('\n').pop() ?? '';
      let summary: Json = {};
      try { summary = last.startsWith('{') ? (JSON.parse(last) as Json) : {}; } catch { /* a line that is not the summary: asserted on by the caller */ }
      resolve({ code, stdout, stderr, summary });
    });
  });
}

// The JDK infra/setup.sh installs (or the one JAVA_HOME names, as infra/lib.sh's java_bin prefers).
const JAVA = process.env.JAVA_HOME ? path.join(process.env.JAVA_HOME, 'bin', 'java') : 'java';
const headend = (...args: string[]) => exec(JAVA, ['-jar', jar, ...args], 120_000);
const send = (file: string, jti: string, ...extra: string[]) =>
  headend('send', '--url', baseUrl, '--key', privateKeyFile, '--tenant', tenant, '--head-end', HEAD_END, '--file', file, '--jti', jti, ...extra);

function write(name: string, content: string): string {
  const file = path.join(dir, name);
  writeFileSync(file, content);
  return file;
}

const csvBody = () => `${CSV_HEADER}\n${[
  `M-J1,${blocks[0]},412,0,VALID`, `M-J1,${blocks[1]},398,0,VALID`,
  `M-J2,${blocks[0]},120,35,VALID`, `M-J2,${blocks[1]},90,60,ESTIMATED`,
  `M-J9,${blocks[0]},5,0,VALID`,
].join('\n')}\n`;

// IES MeterData v0.6 as the examples in services/meterdata/testdata show it: a descriptor set
// and a compact IntervalProfile of block-incremental import energy in kWh.
const iesBody = () => JSON.stringify([
  { '@type': 'PayloadDescriptorProfile', profileType: 'DESCRIPTOR', id: 'DESC-JAVA', payloadDescriptorSets: [{ name: 'Blocks', payloadDescriptors: [{ readingType: 'kWh imp block', reportedMode: 'USAGE', obis: '1.0.1.29.0.255' }], compactSequences: [{ name: 'Seq', sequenceItems: [{ readingType: 'kWh imp block' }] }] }] },
  { '@type': 'IntervalProfile', profileType: 'INTERVAL', meterRefs: [{ value: 'M-J2', scheme: 'METER_SERIAL' }], payloadDescriptorSetRef: 'Blocks', compactSequenceRef: 'Seq', intervalPeriod: { start: blocks[2], duration: 'PT15M' }, intervals: [{ id: 0, payloads: [0.125] }, { id: 1, payloads: [0.25] }, { id: 2, payloads: [0.0005] }] },
], null, 2);

async function readToken(): Promise<string> {
  const key = await importPrivateJwk(JSON.parse(readFileSync(privateKeyFile, 'utf8')));
  return new SignJWT({}).setProtectedHeader({ alg: key.alg, kid: key.kid }).setIssuer(HEAD_END).setAudience(h.config.nodeId).setIssuedAt().setExpirationTime('2m').sign(key.privateKey);
}

before(async () => {
  // Cold: Maven downloads Nimbus, JUnit and the plugins into .cache/m2 once.
  const build = await exec('bash', ['clients/java-headend/build.sh'], 600_000);
  assert.equal(build.code, 0, `clients/java-headend/build.sh failed:\n${build.stderr}`);
  jar = build.stdout.trim().split('\n').pop() as string;
  h = await startHarness(1, {}, { ledgerGraceMs: LEDGER_GRACE_MS, ledgerIntervalMs: 250 });
  tenant = h.tenants[0] as string;
  dir = mkdtempSync(path.join(tmpdir(), 'ies-java-headend-'));
  const env = { ...process.env, IES_TENANTS: tenant, IES_NOTARY_KEYS_DIR: mkdtempSync(path.join(tmpdir(), 'ies-notary-')), IES_OPERATOR_JWKS_FILE: h.config.auth.operatorJwksFile, IES_LOG_LEVEL: 'warn' };
  notary = await startNotaryService(env, { onFatal: (err) => assert.fail(err), logger: createLogger({ name: 'it', level: 'silent' }, nullStream()) });
  await h.app.listen({ host: '127.0.0.1', port: 0 });
  baseUrl = `http://127.0.0.1:${(h.app.server.address() as AddressInfo).port}`;

  // The head-end makes its own key; its public JWK goes into the operator-signed registry document.
  const keygen = await headend('keygen', '--out', dir, '--name', 'hes-java');
  assert.equal(keygen.code, 0, keygen.stderr);
  privateKeyFile = keygen.summary.private as string;
  const publicJwk = JSON.parse(readFileSync(keygen.summary.public as string, 'utf8')) as Json;
  assert.equal(publicJwk.kid, keygen.summary.kid);
  assert.equal(publicJwk.d, undefined);
  const yaml = `discom: ${tenant}\nparticipants:\n  - id: ${HEAD_END}\n    role: HEADEND\n    name: Java head-end\n    keys:\n      - ${JSON.stringify(publicJwk)}\nmeters:\n`
    + ['M-J1', 'M-J2'].map((id) => `  - ${JSON.stringify({ id, scheme: 'METER_SERIAL', headEnd: HEAD_END, sanctionedLoadW: 10_000, derCapacityW: 3_000 })}\n`).join('');
  const applied = await h.applyRegistry(yaml);
  assert.equal(applied.statusCode, 200, applied.body);
});

after(async () => {
  await notary?.stop();
  await h?.close();
});

test('the Java head-end signs and posts a compact-CSV batch, gets 202 with its rejected read, and fetches a receipt that verifies', async () => {
  const receiptFile = path.join(dir, 'csv.receipt.json');
  const run = await send(write('batch.csv', csvBody()), csvJti, '--receipt', '--node-id', h.config.nodeId, '--receipt-out', receiptFile);
  assert.equal(run.code, 0, `${run.stdout}\n${run.stderr}`);
  const s = run.summary;
  assert.equal(s.ok, true);
  assert.equal(s.status, 202);
  assert.equal(s.batchId, `${HEAD_END}:${csvJti}`);
  assert.equal(s.replayed, false);
  assert.deepEqual(s.counts, { reads: 10, accepted: 8, rejected: 2 }, 'M-J9 is not registered: its two reads (import, export) are listed, the rest accepted');
  assert.equal(s.receipt.status, 200);
  assert.equal(s.receipt.readCount, 8);
  assert.ok(s.receipt.polls.every((p: string) => p === '202' || p === '200'), JSON.stringify(s.receipt.polls));

  const keyRes = await fetch(`${baseUrl}/v1/log/key`, { headers: { authorization: `Bearer ${await readToken()}` } });
  assert.equal(keyRes.status, 200);
  const trust = await trustFromVerifierKeys((await keyRes.text()).split('\n').filter(Boolean));
  const verified = await verifyReceipt(JSON.parse(readFileSync(receiptFile, 'utf8')), trust);
  assert.ok(verified.ok, verified.ok ? '' : verified.reason);
});

test('the Java head-end posts an IES MeterData v0.6 document: kWh become integer Wh reads, with a receipt', async () => {
  const run = await send(write('batch.json', iesBody()), jsonJti, '--receipt', '--node-id', h.config.nodeId);
  assert.equal(run.code, 0, `${run.stdout}\n${run.stderr}`);
  assert.equal(run.summary.contentType, 'application/json');
  assert.equal(run.summary.batchId, `${HEAD_END}:${jsonJti}`);
  assert.deepEqual(run.summary.counts, { reads: 3, accepted: 3, rejected: 0 });
  assert.equal(run.summary.receipt.status, 200);
  assert.equal(run.summary.receipt.readCount, 3);
});

test('a tampered batch is refused with problem+json; a batch id reused for another body is a 409 the client reports and exits on', async () => {
  const original = csvBody();
  const file = write('signed.csv', original);
  const signed = await headend('sign', '--url', baseUrl, '--key', privateKeyFile, '--tenant', tenant, '--file', file, '--jti', `tamper-${randomUUID()}`);
  assert.equal(signed.code, 0, signed.stderr);
  const signature = signed.stdout.trim();
  assert.match(signature, /^[\w-]+\.\.[\w-]+$/);
  const tampered = original.replace(',412,', ',4120,');
  assert.notEqual(tampered, original);
  const res = await fetch(`${baseUrl}/v1/meter-data`, { method: 'POST', headers: { 'content-type': 'text/csv', 'x-ies-signature': signature }, body: tampered });
  assert.equal(res.status, 401);
  assert.match(res.headers.get('content-type') ?? '', /^application\/problem\+json/);
  const problem = (await res.json()) as Json;
  assert.equal(problem.code, 'IES_ERR_SIGNATURE_INVALID');
  assert.equal(problem.status, 401);
  // The untouched bytes with the same signature are accepted: the signature was sound.
  const intact = await fetch(`${baseUrl}/v1/meter-data`, { method: 'POST', headers: { 'content-type': 'text/csv', 'x-ies-signature': signature }, body: original });
  assert.equal(intact.status, 202, await intact.text());

  const reused = await send(write('other.csv', tampered), csvJti);
  assert.equal(reused.code, 1, `${reused.stdout}\n${reused.stderr}`);
  assert.equal(reused.summary.ok, false);
  assert.equal(reused.summary.status, 409);
  assert.equal(reused.summary.problem.code, 'IES_ERR_REPLAY_CONFLICT');
  assert.deepEqual(reused.summary.attempts, ['409'], 'a refusal is final: not retried');
});

test('while the replay ledger is rebuilt the client waits out 503 + Retry-After and gets the first answer for the same jti; nothing is written twice', async () => {
  const lost = await h.scanKeys(`ies:${tenant}:msg:*`);
  assert.ok(lost.includes(`ies:${tenant}:msg:ledger`));
  await h.redis.del(...lost);

  const run = await send(path.join(dir, 'batch.csv'), csvJti);
  assert.equal(run.code, 0, `${run.stdout}\n${run.stderr}`);
  const s = run.summary;
  assert.equal(s.attempts[0], '503', JSON.stringify(s.attempts));
  assert.equal(s.attempts.at(-1), '202');
  assert.equal(s.replayed, true);
  assert.equal(s.batchId, `${HEAD_END}:${csvJti}`);
  assert.deepEqual(s.counts, { reads: 10, accepted: 8, rejected: 2 });
  assert.match(run.stderr, /attempt 1 of batch .*: 503 IES_ERR_DEPENDENCY_UNAVAILABLE, sending the same batch again in \d+ ms \(Retry-After: \d+\)/);

  // meter-batches.v1 holds each batch once, with the head-end's signature and exact body.
  const admin = h.kafka.admin();
  await admin.connect();
  const records: Json[] = [];
  try {
    await replayTopic({ kafka: h.kafka, admin, topic: topicName(tenant, TOPICS.meterBatches), groupId: `it-java-${randomUUID()}` }, async (r) => {
      records.push(await h.serde.decode<Json>(r.value));
    });
  } finally {
    await admin.disconnect();
  }
  const ours = records.filter((r) => r.batchId === `${HEAD_END}:${csvJti}` || r.batchId === `${HEAD_END}:${jsonJti}`);
  assert.deepEqual(ours.map((r) => r.batchId).sort(), [`${HEAD_END}:${csvJti}`, `${HEAD_END}:${jsonJti}`].sort());
  const csv = ours.find((r) => r.batchId === `${HEAD_END}:${csvJti}`) as Json;
  assert.equal(csv.headEndId, HEAD_END);
  assert.equal(Buffer.from(csv.body as Uint8Array).toString('utf8'), csvBody());
  assert.equal(JSON.parse(Buffer.from((csv.signature as string).split('.')[0] as string, 'base64url').toString()).jti, csvJti);
  const json = ours.find((r) => r.batchId === `${HEAD_END}:${jsonJti}`) as Json;
  assert.deepEqual(json.reads.map((r: Json) => Number(r.wh)).sort((a: number, b: number) => a - b), [0, 125, 250]);
});
