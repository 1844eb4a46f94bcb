import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { Queue } from 'bullmq';
import { SignJWT } from 'jose';
import { chromium, type Browser, type Page } from 'playwright-core';
import { createClickHouse } from '@ies/clickhouse';
import { TOPICS, settlementStatementQueue, topicName } from '@ies/contracts';
import { exportPrivateJwk, generateSigningKey, signDetached, type KeyPair } from '@ies/crypto';
import { startFanout } from '@ies/fanout';
import { buildHttpApp } from '@ies/http';
import { ACKS_ALL, createIdempotentProducer } from '@ies/kafka';
import { startLoaderService } from '@ies/loader';
import { logOrigin, logVerifierKeys, startNotaryService } from '@ies/notary';
import { createRedis } from '@ies/redis';
import { witnessHttp } from '@ies/witness/http';
import { DrEventStore } from '@ies/dr/events';
import { createLogger, createMetricsRegistry } from '@ies/observability';
import { P2pStore, SettlementKeys, StatementSinks, StatementStore, drSourceOf, runStatement, type FinalAllocation, type NormalisedTrade, type PolicyPack } from '@ies/settlement/testing';
import { istDayStart } from '@ies/units';
import { eventually, nullStream, stackConfig, uniqueTenant } from '@ies/testing';
import { migrateSettlementTables } from '@ies/settlement/migrations';
import { startSubmissionsConsumer, type SubmissionsIntake } from '../../src/intake/submissions-consumer.js';
import { CSV_HEADER, istBlocks, registryYaml, startHarness, type Json } from './harness.js';

// The web console in a real browser (Debian's Chromium driven by playwright-core) against a
// node on the real stack: the auditor verifies a read proof the node produced (and not a
// tampered copy) in the browser, follows the log's checkpoints and verifies its witnessed
// checkpoint there; a DISCOM user signs in with the one-time link of `ies console --as` (which
// then refuses a second use), sees its head-ends, keys, plots and dead letters and re-drives a
// dead-lettered submission once its head-end is registered; another tenant's data is refused.
// Screenshots go to docs/console/.
// Waits use locators, not string predicates: those run through eval(), which the console's
// Content-Security-Policy refuses (as it should).

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../../..');
const shots = path.join(root, 'docs/console');
const CHROMIUM = process.env['IES_CHROMIUM'] ?? '/usr/bin/chromium';

let h: Awaited<ReturnType<typeof startHarness>>;
let tenant: string;
let other: string;
let headEnd: KeyPair;
let otherDesk: KeyPair;
let notary: Awaited<ReturnType<typeof startNotaryService>>;
let loader: Awaited<ReturnType<typeof startLoaderService>>;
let fanout: Awaited<ReturnType<typeof startFanout>>;
let submissions: SubmissionsIntake;
let witness: Awaited<ReturnType<typeof startWitness>>;
let origin: string;
let hes2: KeyPair;
const hes2Jti = `R-${randomUUID()}`;
let browser: Browser;
let base: string;
let keysDir: string;
let proofFile: string;
let tamperedFile: string;
let otherFiles: string[];
let tamperedStatementFile: string;
const blocks = istBlocks(6);
const STATEMENT_DAY = '2026-03-10';
const ch = createClickHouse(stackConfig());

/** A peer's witness front door (its own key, the stack's Redis) watching the log of `vkeys`, on a loopback port. */
async function startWitness(name: string, vkeys: readonly string[]) {
  const config = stackConfig({ IES_WITNESS_LOGS: vkeys.join(','), IES_WITNESS_KEYS_DIR: mkdtempSync(path.join(tmpdir(), 'ies-console-witness-')), IES_WITNESS_NAME: name });
  const redis = createRedis(config, { failFast: true });
  const app = buildHttpApp({ logger: createLogger({ name: 'it', level: 'silent' }, nullStream()), metrics: createMetricsRegistry(`witness-${name}`), readiness: [] });
  await app.register(witnessHttp({ config, redis, metrics: createMetricsRegistry(`witness-door-${name}`), now: Date.now }).plugin);
  const url = `${await app.listen({ host: '127.0.0.1', port: 0 })}/witness`;
  const vkey = (await (await fetch(`${url}/vkey`)).text()).trim().split('\n')[0]!;
  return { url, vkey, close: async (origins: readonly string[]) => { await app.close(); await redis.del(...origins.map((o) => `ies:witness:${o}`)); redis.disconnect(); } };
}

before(async () => {
  // The log's key first, then a peer's witness that watches it, then the node and its notary
  // configured to have their checkpoints cosigned by that witness (as operators exchange vkeys).
  const tenants = [uniqueTenant(), uniqueTenant()];
  const notaryKeysDir = mkdtempSync(path.join(tmpdir(), 'ies-notary-'));
  const logConfig = stackConfig({ IES_TENANTS: tenants.join(','), IES_NOTARY_KEYS_DIR: notaryKeysDir });
  origin = logOrigin(logConfig, tenants[0]!);
  witness = await startWitness(`peer-${randomUUID().slice(0, 8)}.ies.test/witness`, await logVerifierKeys(logConfig, tenants[0]!));
  const witnesses = JSON.stringify([{ url: witness.url, vkey: witness.vkey }]);
  h = await startHarness(2, { IES_CONSOLE_SIGN_IN_LINKS: 'true', IES_NOTARY_WITNESSES: witnesses }, { tenants });
  // The statement a test signs through the node is stored in ClickHouse too: on a fresh stack nothing else has made its tables yet.
  await migrateSettlementTables(h.config);
  [tenant, other] = h.tenants as [string, string];
  headEnd = await generateSigningKey('EdDSA');
  otherDesk = await generateSigningKey('EdDSA');
  assert.equal((await h.applyRegistry(registryYaml(tenant, { id: 'HES-1', keys: [headEnd] }, [{ id: 'M-1' }, { id: 'M-2' }]))).statusCode, 200);
  assert.equal((await h.applyRegistry(`discom: ${other}\nparticipants:\n  - id: DESK-9\n    role: DISCOM\n    name: other desk\n    keys:\n      - ${JSON.stringify(otherDesk.publicJwk)}\n`)).statusCode, 200);
  const env = { ...process.env, IES_TENANTS: h.tenants.join(','), IES_NOTARY_KEYS_DIR: notaryKeysDir, IES_NOTARY_WITNESSES: witnesses, IES_OPERATOR_JWKS_FILE: h.config.auth.operatorJwksFile, IES_LOG_LEVEL: 'warn' };
  notary = await startNotaryService(env, { onFatal: (err) => assert.fail(err), logger: createLogger({ name: 'it', level: 'silent' }, nullStream()) });
  loader = await startLoaderService(env);
  fanout = await startFanout(h.kafkaAs('fanout'), h.serde, [tenant], { groupId: `ies-fanout-${tenant}`, transactionalId: `${h.config.nodeId}-fanout-${tenant}` });
  // The Kafka intake, whose refusals keep the head-end's signed envelope (what a re-drive sends again).
  submissions = await startSubmissionsConsumer(h.gatewayKafka, h.deps, { info() {}, warn() {} }, `${h.config.nodeId}-gateway-submissions-${randomUUID()}`);
  // A head-end not registered yet sends a batch through Kafka: the intake dead-letters it (its key is unknown).
  hes2 = await generateSigningKey('EdDSA');
  await produceSubmission(`${CSV_HEADER}\nM-3,${blocks[4]},250,0,VALID\nM-3,${blocks[5]},260,0,VALID\n`, hes2, hes2Jti);
  // The operator key where `ies console` looks for it on the local stack (.stack/keys).
  keysDir = mkdtempSync(path.join(tmpdir(), 'ies-console-keys-'));
  writeFileSync(path.join(keysDir, 'operator.private.jwk.json'), JSON.stringify(await exportPrivateJwk(h.operator)), { mode: 0o600 });
  base = await h.app.listen({ host: '127.0.0.1', port: 0 });
  mkdirSync(shots, { recursive: true });
  browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox', '--disable-dev-shm-usage'] });

  // A batch with valid reads and two the fan-out dead-letters; then a read proof of a valid one.
  const csv = `${CSV_HEADER}\n${[`M-1,${blocks[1]},377,0,VALID`, `M-2,${blocks[1]},120,0,VALID`, `M-1,${blocks[2]},-5,0,VALID`, `M-2,${(blocks[3] as string).replace(':45:00', ':47:00').replace(':00:00', ':07:00')},10,0,VALID`].join('\n')}\n`;
  const { res, json } = await h.submit(csv, headEnd);
  assert.equal(res.statusCode, 202, res.body);
  assert.equal(json().counts.rejected, 3, res.body); // the misaligned line's import and export
  let last = '';
  const proof = await eventually(async () => {
    const r = await get(`/v1/reads/proof?meterId=M-1&blockStart=${encodeURIComponent(blocks[1]!)}&channel=import`);
    last = `${r.statusCode} ${r.body.slice(0, 300)}`;
    return r.statusCode === 200 ? (r.json() as Json) : undefined;
  }, 90_000, 'the read proof').catch((err: Error) => assert.fail(`${err.message}; last answer: ${last}`));
  const dir = mkdtempSync(path.join(tmpdir(), 'ies-console-files-'));
  proofFile = path.join(dir, 'read-proof.json');
  tamperedFile = path.join(dir, 'read-proof-tampered.json');
  writeFileSync(proofFile, JSON.stringify(proof, null, 2));
  writeFileSync(tamperedFile, JSON.stringify({ ...proof, read: { ...proof.read, wh: 378 } }, null, 2));
  // The batch's receipt and tlog-proof, and the log's public checkpoint: the other kinds an auditor drops.
  const batchId = json().batchId as string;
  const fetched = async (url: string) => eventually(async () => {
    const r = await get(url);
    return r.statusCode === 200 ? r.body : undefined;
  }, 60_000, url);
  otherFiles = [
    ['receipt.json', await fetched(`/v1/batches/${encodeURIComponent(batchId)}/receipt`)],
    ['batch.tlog-proof', await fetched(`/v1/batches/${encodeURIComponent(batchId)}/tlog-proof`)],
    ['checkpoint.txt', (await h.app.inject({ method: 'GET', url: `/logs/${tenant}/checkpoint` })).body],
  ].map(([name, body]) => {
    const file = path.join(dir, name as string);
    writeFileSync(file, body as string);
    return file;
  });
  // A signed statement of the tenant (as statements-api.test.ts builds one), fetched as its JWS.
  const statementJws = await signedStatement();
  otherFiles.push(path.join(dir, 'statement.jws'));
  writeFileSync(otherFiles.at(-1)!, statementJws);
  // A changed payload: the signature no longer covers it.
  const [hdr, payload, sig] = statementJws.split('.') as [string, string, string];
  const changed = Buffer.from(payload, 'base64url').toString('utf8').replace(/"amountPaise":(\d)/, (_m, d: string) => `"amountPaise":${(Number(d) + 1) % 10}`);
  tamperedStatementFile = path.join(dir, 'statement-tampered.jws');
  writeFileSync(tamperedStatementFile, `${hdr}.${Buffer.from(changed).toString('base64url')}.${sig}`);
});

after(async () => {
  const q = new Queue(settlementStatementQueue(tenant), { connection: h.redis });
  await q.remove(`stmt.${tenant}.day.${STATEMENT_DAY}`);
  await q.close();
  await ch.close();
  await browser?.close();
  await submissions?.disconnect();
  await witness?.close([origin]);
  await fanout?.consumer.disconnect();
  await fanout?.producer.disconnect();
  await loader?.stop();
  await notary?.stop();
  await h?.close();
});

/** A bearer read by the test itself, as a DISCOM participant of the tenant (TEST-DESK). */
async function get(url: string) {
  const key = testDesk ?? (testDesk = await registeredTestDesk());
  const token = await new SignJWT({}).setProtectedHeader({ alg: key.alg, kid: key.kid }).setIssuer('TEST-DESK').setAudience(h.config.nodeId).setIssuedAt().setExpirationTime('2m').sign(key.privateKey);
  return h.app.inject({ method: 'GET', url, headers: { authorization: `Bearer ${token}` } });
}
let testDesk: KeyPair | undefined;
async function registeredTestDesk(): Promise<KeyPair> {
  const k = await generateSigningKey('EdDSA');
  assert.equal((await h.applyRegistry(`discom: ${tenant}\nparticipants:\n  - id: TEST-DESK\n    role: DISCOM\n    name: test desk\n    keys:\n      - ${JSON.stringify(k.publicJwk)}\n`)).statusCode, 200);
  return k;
}

/** A day statement of the tenant with one P2P trade, built and signed by the settlement use case, as its compact JWS. */
async function signedStatement(): Promise<string> {
  const H = 3_600_000;
  const start = istDayStart(STATEMENT_DAY)! + 10 * H;
  const trade: NormalisedTrade = {
    tradeId: 'tx-console/c', transactionId: 'tx-console', commitmentId: 'c', contractId: null,
    seller: { meterId: 'M-1', discomId: tenant, platformId: 'p' }, buyer: { meterId: 'M-2', discomId: tenant, platformId: 'p' },
    intervals: [{ startMs: start, endMs: start + H, quantityWh: 4000, pricePaisePerKwh: 600 }],
    intent: 'CONFIRM', source: { action: 'confirm', messageId: null, timestamp: null },
  };
  const final: FinalAllocation = {
    tradeId: trade.tradeId, sellerDiscomId: tenant, buyerDiscomId: tenant, sellerVersion: 1, buyerVersion: 1, sellerStatus: 'COMPLETED', buyerStatus: 'COMPLETED', status: 'COMPLETED',
    intervals: [{ startMs: start, endMs: start + H, contractedWh: 4000, sellerWh: 3000, buyerWh: 4000, finalWh: 3000, sellerShortfallWh: 1000, buyerShortfallWh: 0, deviationWh: 1000 }],
    evidence: [],
  };
  const p2p = new P2pStore(h.redis);
  await p2p.confirm(tenant, trade, 'it', Date.now()).catch(() => undefined);
  await p2p.saveFinal(tenant, { discomId: tenant, version: 1, final, sellerJws: '', buyerJws: '', at: Date.now() });
  const settlementKeys = new SettlementKeys(h.redis, mkdtempSync(path.join(tmpdir(), 'ies-console-stmt-')));
  await settlementKeys.publish(tenant);
  const policy: PolicyPack = { policyId: `${tenant}.it`, discomId: tenant, version: 1, effectiveFrom: '2026-01-01', p2p: { wheeling: { buyerPaisePerKwh: 35, sellerPaisePerKwh: 15 }, transactionCharge: { buyerPaisePerKwh: 21, sellerPaisePerKwh: 21 }, sellerShortfall: { treatment: 'FIXED_RATE', ratePaisePerKwh: 800 }, buyerShortfall: { treatment: 'WAIVED' } } };
  const outcome = await runStatement({
    p2p, dr: drSourceOf(new DrEventStore(h.redis, h.deps.producer, h.serde), ch), policies: [policy], store: new StatementStore(h.redis),
    sinks: new StatementSinks({ producer: h.deps.producer, serde: h.serde, ch }), now: Date.now,
    signer: async (d) => {
      const { privateKeys, jwks } = await settlementKeys.keyFile(d).current();
      return { kid: jwks[0]!.kid as string, privateKey: privateKeys[0]! };
    },
  }, tenant, { kind: 'DAY', day: STATEMENT_DAY });
  const key = testDesk ?? (testDesk = await registeredTestDesk());
  const token = await new SignJWT({}).setProtectedHeader({ alg: key.alg, kid: key.kid }).setIssuer('TEST-DESK').setAudience(h.config.nodeId).setIssuedAt().setExpirationTime('2m').sign(key.privateKey);
  const res = await h.app.inject({ method: 'GET', url: `/v1/statements/${encodeURIComponent(outcome.statementId)}`, headers: { authorization: `Bearer ${token}`, accept: 'application/jose' } });
  assert.equal(res.statusCode, 200, res.body);
  return res.body.trim();
}

/** `ies console --as D/P` as a user runs it: the built CLI, against this node, with the local keys directory. */
async function consoleLink(as: string, ...extra: string[]): Promise<string> {
  const { stdout } = await promisify(execFile)(process.execPath, [path.join(root, 'services/cli/dist/src/bin.js'), 'console', '--as', as, '--url', base, ...extra], { env: { ...process.env, IES_KEYS_DIR: keysDir, IES_NODE_ID: h.config.nodeId } });
  return stdout.trim();
}

/** A head-end's signed batch produced to headend-submissions.v1, as a head-end without HTTP sends it. */
async function produceSubmission(body: string, key: KeyPair, jti: string): Promise<void> {
  const signature = await signDetached(Buffer.from(body), key, { iat: Math.floor(Date.now() / 1000), jti, htm: 'POST', htu: '/v1/meter-data', tenant });
  const producer = createIdempotentProducer(h.kafka);
  await producer.connect();
  const value = await h.serde.encode(tenant, TOPICS.headendSubmissions, { contentType: 'text/csv', signature, body: Buffer.from(body), tenant: null });
  await producer.send({ topic: topicName(tenant, TOPICS.headendSubmissions), acks: ACKS_ALL, messages: [{ key: randomUUID(), value }] });
  await producer.disconnect();
}

async function newPage(): Promise<Page> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  return context.newPage();
}

test('the node serves the console under /console with content types and cache headers, outside the OpenAPI document', async () => {
  const redirect = await h.app.inject({ method: 'GET', url: '/console' });
  assert.equal(redirect.statusCode, 301);
  assert.equal(redirect.headers.location, '/console/');
  const index = await h.app.inject({ method: 'GET', url: '/console/' });
  assert.equal(index.statusCode, 200);
  assert.match(index.headers['content-type'] as string, /^text\/html/);
  assert.equal(index.headers['cache-control'], 'no-cache');
  assert.match(index.headers['content-security-policy'] as string, /script-src 'self'/);
  const script = /src="(\/console\/assets\/[^"]+\.js)"/.exec(index.body)?.[1];
  assert.ok(script, index.body);
  const js = await h.app.inject({ method: 'GET', url: script });
  assert.match(js.headers['content-type'] as string, /^text\/javascript/);
  assert.equal(js.headers['cache-control'], 'public, max-age=31536000, immutable');
  assert.equal((await h.app.inject({ method: 'GET', url: script, headers: { 'if-none-match': js.headers.etag as string } })).statusCode, 304);
  assert.equal((await h.app.inject({ method: 'GET', url: '/console/assets/gone-123.js' })).statusCode, 404);
  const paths = Object.keys(((await h.app.inject({ method: 'GET', url: '/openapi.json' })).json() as Json).paths);
  for (const p of ['/v1/dead-letters', '/v1/head-ends', '/v1/ingest-activity', '/v1/dead-letters/original', '/v1/dead-letters/redrive', '/v1/checkpoints']) assert.ok(paths.includes(p), `${p} not in ${paths.join(' ')}`);
  assert.ok(!paths.some((p) => p.startsWith('/console')), 'the console is not API');
});

test('an auditor with no login sees the log and verifies the node\'s read proof in the browser; a tampered copy is NOT VERIFIED; a receipt, tlog-proof, checkpoint and signed statement verify, a changed statement does not', async () => {
  const page = await newPage();
  await page.goto(`${base}/console/#/auditor?discom=${tenant}`);
  await page.getByTestId('log-size').waitFor();
  assert.match(await page.getByTestId('log-size').innerText(), /^[1-9][\d,]* entr/);
  await page.click('#pick-key');
  await eventually(async () => ((await page.inputValue('#vkey')).includes('+') ? true : undefined), 15_000, 'the picked verifier key');
  await page.setInputFiles('#file', proofFile);
  await page.getByTestId('verdict').waitFor();
  assert.equal(await page.getByTestId('verdict').innerText(), 'VERIFIED', await page.getByTestId('verdict-summary').innerText());
  assert.match(await page.getByTestId('verdict-summary').innerText(), /read M-1, block from .* IST, IMPORT = 377 Wh is leaf \d+ of batch HES-1:/);
  await page.screenshot({ path: path.join(shots, 'auditor-verified.png'), fullPage: true });
  await page.setInputFiles('#file', tamperedFile);
  await page.getByTestId('verdict').filter({ hasText: /^NOT VERIFIED$/ }).waitFor();
  assert.match(await page.getByTestId('verdict-summary').innerText(), /^READ_NOT_IN_BATCH: /);
  await page.screenshot({ path: path.join(shots, 'auditor-not-verified.png'), fullPage: true });
  // A receipt, a tlog-proof and a checkpoint of the same log verify with the same key; the
  // statement with the tenant's JWKS the button picked (its settlement key is published there).
  for (const file of otherFiles) {
    await page.setInputFiles('#file', file);
    await page.locator('#result strong', { hasText: path.basename(file) }).waitFor();
    assert.equal(await page.getByTestId('verdict').innerText(), 'VERIFIED', `${path.basename(file)}: ${await page.getByTestId('verdict-summary').innerText()}`);
  }
  assert.match(await page.getByTestId('verdict-summary').innerText(), /lines; receivable ₹[\d,.]+, payable ₹[\d,.]+, net ₹-?[\d,.]+; signed by .*; balances$/);
  await page.screenshot({ path: path.join(shots, 'auditor-statement-verified.png'), fullPage: true });
  await page.setInputFiles('#file', tamperedStatementFile);
  await page.locator('#result strong', { hasText: 'statement-tampered.jws' }).waitFor();
  assert.equal(await page.getByTestId('verdict').innerText(), 'NOT VERIFIED');
  assert.match(await page.getByTestId('verdict-summary').innerText(), /^BAD_SIGNATURE: /);
  await page.context().close();
});

test('a DISCOM user signs in with the one-time link of `ies console --as` (refused on a second use) and sees its head-ends, keys, plots and dead letters with their reasons', async () => {
  const link = await consoleLink(`${tenant}/DESK-1`);
  assert.match(link, new RegExp(`^${base.replace(/[.]/g, '\\.')}/console/#code=[\\w-]{43}&go=data$`));
  assert.ok(existsSync(path.join(keysDir, 'participants', tenant, 'DESK-1.private.jwk.json')));
  await eventually(async () => {
    const r = await get('/v1/dead-letters?code=IES_ERR_VEE_NEGATIVE').catch(() => undefined);
    return r?.statusCode === 200 && (r.json() as Json).deadLetters.length > 0 ? true : undefined;
  }, 60_000, 'the dead letters in ClickHouse');
  // The loader stores the batch's receipt (what the head-ends panel reads) apart from its dead letters.
  await eventually(async () => {
    const r = await get('/v1/head-ends');
    return r.statusCode === 200 && (r.json() as Json).headEnds.some((x: Json) => x.headEndId === 'HES-1' && x.batches > 0) ? true : undefined;
  }, 60_000, 'the receipt in ClickHouse');
  // The stage lags of that batch, split: intake → notarised (the receipt's Kafka time) and notarised → stored add up to intake → stored.
  const activity = (await get('/v1/ingest-activity')).json() as Json;
  const minute = (activity.ingest as Json[]).find((m) => m.loadedLagMs !== null)!;
  assert.ok(minute.notarisedLagMs !== null && minute.storedLagMs !== null, JSON.stringify(minute));
  assert.ok(minute.notarisedLagMs.max >= 0 && minute.storedLagMs.max >= 0 && minute.notarisedLagMs.max <= minute.loadedLagMs.max, JSON.stringify(minute));
  if (minute.batches === 1) assert.equal(minute.notarisedLagMs.avg + minute.storedLagMs.avg, minute.loadedLagMs.avg, JSON.stringify(minute));
  const page = await newPage();
  await page.goto(link);
  await page.getByTestId('dead-letter-count').waitFor();
  assert.ok(!page.url().includes('code='), `the link's code stays in the address bar: ${page.url()}`);
  const deadLetters = await page.locator('#dead-letters table').innerText();
  assert.match(deadLetters, /IES_ERR_VEE_NEGATIVE/);
  assert.match(deadLetters, /IST/);
  assert.match(await page.locator('#head-ends table').innerText(), /HES-1[\s\S]*reads/);
  assert.match(await page.locator('#who').innerText(), /Signed in as DESK-1/);
  // The head-end's key and its status; the plots of the last hour: the batch and its reads, the rejections by code.
  assert.match(await page.locator('#keys table').innerText(), /HES-1\s+\S+\s+(EdDSA|OKP Ed25519)\s+ACTIVE/);
  await page.locator('#chart-batches canvas').waitFor();
  assert.match(await page.locator('#chart-batches figcaption').innerText(), /batches\/min, per 1 min, IST/);
  assert.match(await page.locator('#chart-reads .legend').innerText(), /reads \(\d+ in the window\)/);
  assert.match(await page.locator('#chart-rejections .legend').innerText(), /IES_ERR_VEE_NEGATIVE \(1 in the window\)/);
  assert.match(await page.locator('#chart-rejections .legend').innerText(), /IES_ERR_VEE_BLOCK_MISALIGNED \(2 in the window\)/);
  assert.match(await page.getByTestId('loaded-lag').innerText(), /s mean, .* s max for batches accepted at .* IST/);
  assert.match(await page.getByTestId('notarised-lag').innerText(), /s mean, .* s max for batches accepted at .* IST/);
  assert.match(await page.getByTestId('stored-lag').innerText(), /s mean, .* s max for batches accepted at .* IST/);
  await page.locator('#chart-lags canvas').waitFor();
  assert.match(await page.locator('#chart-lags .legend').innerText(), /ingest → notarised \(mean\) \(at most [\d.,]+ s\)[\s\S]*notarised → loaded \(mean\)[\s\S]*ingest → loaded \(max\)/);
  // The chart's figures, as a table: the batch's minute in IST and its reads.
  assert.match(await page.locator('#chart-reads .chart-figures table').textContent() ?? '', /IST[\s\S]*reads \(reads\/min\)[\s\S]*\d{4}-\d{2}-\d{2} \d{2}:\d{2}/);
  // Loaded → settled: yesterday's reads (this batch's) were loaded; no statement run of the day yet.
  const day = blocks[0]!.slice(0, 10);
  const loaded = (await get(`/v1/reads/day-loaded?day=${day}`)).json() as Json;
  assert.ok(loaded.reads > 0 && typeof loaded.lastLoadedAt === 'number', JSON.stringify(loaded));
  await page.getByTestId(`lag-${day}`).waitFor();
  assert.match(await page.locator('#settled-lag tr', { has: page.getByTestId(`lag-${day}`) }).innerText(),
    new RegExp(`^${day}\\s+${(loaded.reads as number).toLocaleString('en-IN')}\\s+\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d IST\\s+not settled yet\\s+—\\s+—$`));
  await page.screenshot({ path: path.join(shots, 'data-engineer.png'), fullPage: true });
  // Searching by code narrows the list to that code.
  await page.fill('#f-code', 'IES_ERR_VEE_NEGATIVE');
  await page.click('#dead-letter-filters button[type=submit]');
  await page.getByTestId('dead-letter-count').filter({ hasText: /^1 dead letter / }).waitFor();
  // The link worked once: opened again (another tab, or someone who saw it) it signs nobody in.
  const again = await newPage();
  await again.goto(link);
  const refused = again.locator('#link-refused');
  await refused.waitFor();
  assert.equal(await refused.getAttribute('data-code'), 'IES_ERR_TOKEN_INVALID');
  assert.match(await refused.innerText(), /HTTP 401.*already used or has expired/);
  assert.match(await again.locator('#who').innerText(), /Not signed in/);
  await again.screenshot({ path: path.join(shots, 'sign-in-link-used.png'), fullPage: true });
  await again.context().close();
  await page.context().close();
});

test('the data engineer re-drives a submission the intake refused (unknown head-end key) once the head-end is registered: notarised and loaded once, a second re-drive is the same answer', async () => {
  const jti = hes2Jti;
  const dead = await eventually(async () => {
    const r = await get('/v1/dead-letters?stage=submissions-consumer');
    return r.statusCode === 200 ? ((r.json() as Json).deadLetters as Json[])[0] : undefined;
  }, 60_000, "the intake's dead letter in ClickHouse");
  assert.ok(dead.payloadBytes > 0, 'the signed envelope is kept');
  // The fix: the operator registers the head-end, its key and its meter.
  assert.equal((await h.applyRegistry(registryYaml(tenant, { id: 'HES-2', keys: [hes2] }, [{ id: 'M-3' }]))).statusCode, 200);

  const page = await newPage();
  await page.goto(await consoleLink(`${tenant}/DESK-1`));
  await page.getByTestId('dead-letter-count').waitFor();
  await page.fill('#f-stage', 'submissions-consumer');
  await page.click('#dead-letter-filters button[type=submit]');
  await page.getByTestId('dead-letter-count').filter({ hasText: /^1 dead letter / }).waitFor();
  await page.locator('button.open-dead-letter').click();
  const record = page.getByTestId('original-record');
  await record.waitFor();
  assert.match(await record.innerText(), /"contentType": "text\/csv"[\s\S]*M-3,/);
  assert.match(await page.locator('#dead-letter .original').innerText(), new RegExp(`${dead.code}[\\s\\S]*arrivedAt=\\d+`));
  await page.click('#redrive');
  const result = page.getByTestId('redrive-result');
  await result.filter({ hasText: /^Accepted: batch HES-2:/ }).waitFor();
  assert.equal(await result.getAttribute('data-replayed'), 'false');
  // Notarised (a receipt) and loaded (the head-end's batch in ClickHouse), exactly once.
  const heads = await eventually(async () => {
    const r = await get('/v1/head-ends');
    const x = (r.json() as Json).headEnds.find((e: Json) => e.headEndId === 'HES-2');
    return x?.batches > 0 ? x : undefined;
  }, 60_000, "HES-2's re-driven batch in the log and in ClickHouse");
  assert.equal(heads.lastBatch.batchId, `HES-2:${jti}`);
  assert.equal(heads.lastBatch.readCount, 4); // two lines, import and export each
  await page.screenshot({ path: path.join(shots, 'data-engineer-redrive.png'), fullPage: true });
  await page.click('#redrive');
  await result.filter({ hasText: /^Already accepted earlier: batch HES-2:/ }).waitFor();
  assert.equal(await result.getAttribute('data-replayed'), 'true');
  const receipt = await get(`/v1/batches/${encodeURIComponent(`HES-2:${jti}`)}/receipt`);
  assert.equal(receipt.statusCode, 200, receipt.body);
  assert.equal((await get('/v1/head-ends')).json().headEnds.find((e: Json) => e.headEndId === 'HES-2').batches, 1, 'one batch in the log after two re-drives');
  await page.context().close();
});

test('an auditor follows the log: checkpoints over time verified in the browser, the witness and its cosignature, the witnessed checkpoint VERIFIED in the browser; another tenant\'s dead letters are refused', async () => {
  await eventually(async () => {
    const r = await get(`/v1/log/witnesses?discom=${tenant}`);
    return (r.json() as Json).witnessed ? true : undefined;
  }, 60_000, 'a checkpoint cosigned by the witness');
  const page = await newPage();
  // Signed in with no tenant named, the page shows the auditor's own tenant's log.
  await page.goto(await consoleLink(`${tenant}/AUDITOR-1`, '--role', 'AUDITOR', '--page', 'auditor'));
  await page.getByTestId('log-size').waitFor();
  assert.equal(await page.inputValue('#tenant'), tenant);
  assert.match(await page.locator('#who').innerText(), /Signed in as AUDITOR-1/);
  await page.click('#pick-key');
  const history = page.getByTestId('checkpoint-count').filter({ hasText: /each checked in this browser/ });
  await history.waitFor();
  assert.match(await history.innerText(), /^[1-9]\d* checkpoints? of /);
  const rows = await page.locator('#checkpoint-history tbody tr').allInnerTexts();
  // Each checkpoint verified, and each shown to extend the one below it by a consistency proof the browser built from the public tiles.
  assert.ok(rows.length > 1, rows.join('\n'));
  assert.ok(rows.slice(0, -1).every((r) => /IST\s+verified\s+consistent \(proof of \d+ hash(es)?\)$/.test(r)) && /IST\s+verified\s+the oldest shown$/.test(rows.at(-1)!), rows.join('\n'));
  assert.match(await history.innerText(), new RegExp(`; ${rows.length - 1} of ${rows.length - 1} shown to extend the one before`));
  const witnessTable = await page.locator('#witnesses table').first().innerText();
  assert.match(witnessTable, /peer-[\w-]+\.ies\.test\/witness\s+[1-9]/);
  await page.click('#verify-witnessed');
  await page.getByTestId('witnessed-verdict').waitFor();
  assert.equal(await page.getByTestId('witnessed-verdict').innerText(), 'VERIFIED', await page.getByTestId('witnessed-summary').innerText());
  assert.match(await page.getByTestId('witnessed-summary').innerText(), /signed by the notary and cosigned by peer-[\w-]+\.ies\.test\/witness \(quorum 1 of 1\)/);
  assert.match(await page.locator('#witnessed-result table').innerText(), /witness\s+.* IST/);
  await page.screenshot({ path: path.join(shots, 'auditor-witnessed.png'), fullPage: true });
  // The DISCOM's operational data is not an auditor's: another tenant's is refused for the tenant, its own for the role.
  await page.goto(`${base}/console/#/data?discom=${other}`);
  const refusal = page.locator('#dead-letters [role=alert]');
  await refusal.waitFor();
  assert.equal(await refusal.getAttribute('data-code'), 'IES_ERR_TENANT_FORBIDDEN');
  await page.goto(`${base}/console/#/data`);
  await page.reload();
  await page.locator('#dead-letters [role=alert][data-code=IES_ERR_ROLE_FORBIDDEN]').waitFor();
  await page.context().close();
});

test("a user of another tenant signs in by pasting a bearer token and is refused this tenant's dead letters and head-ends, with the API's code", async () => {
  const page = await newPage();
  await page.goto(`${base}/console/#/sign-in`);
  const token = await new SignJWT({}).setProtectedHeader({ alg: otherDesk.alg, kid: otherDesk.kid }).setIssuer('DESK-9').setAudience(h.config.nodeId).setIssuedAt().setExpirationTime('5m').sign(otherDesk.privateKey);
  await page.fill('#token', token);
  await page.click('form button[type=submit]');
  await page.locator('#whoami dl').waitFor();
  const whoami = await page.locator('#whoami').innerText();
  assert.match(whoami, new RegExp(`participant\\s+DESK-9[\\s\\S]*tenant\\s+${other}[\\s\\S]*expires\\s+.* IST`));
  assert.equal(await page.inputValue('#token'), '', 'the pasted token is not left in the form');
  await page.screenshot({ path: path.join(shots, 'sign-in.png'), fullPage: true });
  await page.goto(`${base}/console/#/data?discom=${tenant}`);
  const refusal = page.locator('#dead-letters [role=alert]');
  await refusal.waitFor();
  assert.equal(await refusal.getAttribute('data-code'), 'IES_ERR_TENANT_FORBIDDEN');
  assert.match(await refusal.innerText(), /HTTP 403/);
  assert.equal(await page.locator('#head-ends [role=alert]').getAttribute('data-code'), 'IES_ERR_TENANT_FORBIDDEN');
  assert.equal(await page.locator('#settled-lag [role=alert]').getAttribute('data-code'), 'IES_ERR_TENANT_FORBIDDEN');
  await page.screenshot({ path: path.join(shots, 'data-engineer-refused.png'), fullPage: true });
  // Its own tenant answers (empty), so the refusal is about the tenant, not the token.
  await page.goto(`${base}/console/#/data`);
  await page.reload();
  await page.locator('#dead-letters [data-state=empty]').waitFor();
  await page.context().close();
});
