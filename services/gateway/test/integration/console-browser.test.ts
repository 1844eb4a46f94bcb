import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { Queue } from 'bullmq';
import { SignJWT } from 'jose';
import { chromium, type Browser, type Page } from 'playwright-core';
import { createClickHouse } from '@ies/clickhouse';
import { QUEUES } from '@ies/contracts';
import { exportPrivateJwk, generateSigningKey, type KeyPair } from '@ies/crypto';
import { startFanout } from '@ies/fanout';
import { startLoaderService } from '@ies/loader';
import { startNotaryService } from '@ies/notary';
import { DrEventStore } from '@ies/dr/events';
import { createLogger } from '@ies/observability';
import { P2pStore, SettlementKeys, StatementSinks, StatementStore, drSourceOf, runStatement, type FinalAllocation, type NormalisedTrade, type PolicyPack } from '@ies/settlement/testing';
import { istDayStart } from '@ies/units';
import { eventually, nullStream, stackConfig } from '@ies/testing';
import { migrateSettlementTables } from '@ies/settlement/migrations';
import { CSV_HEADER, istBlocks, registryYaml, startHarness, type Json } from './harness.js';

// The web console in a real browser (Debian's Chromium driven by playwright-core) against a
// node on the real stack: the auditor verifies a read proof the node produced (and not a
// tampered copy) in the browser, a DISCOM user signs in with `ies console --as` and sees its
// dead letters, and another tenant's data is refused. Screenshots go to docs/console/.
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

before(async () => {
  h = await startHarness(2);
  // The statement a test signs through the node is stored in ClickHouse too: on a fresh stack nothing else has made its tables yet.
  await migrateSettlementTables(h.config);
  [tenant, other] = h.tenants as [string, string];
  headEnd = await generateSigningKey('EdDSA');
  otherDesk = await generateSigningKey('EdDSA');
  assert.equal((await h.applyRegistry(registryYaml(tenant, { id: 'HES-1', keys: [headEnd] }, [{ id: 'M-1' }, { id: 'M-2' }]))).statusCode, 200);
  assert.equal((await h.applyRegistry(`discom: ${other}\nparticipants:\n  - id: DESK-9\n    role: DISCOM\n    name: other desk\n    keys:\n      - ${JSON.stringify(otherDesk.publicJwk)}\n`)).statusCode, 200);
  const env = { ...process.env, IES_TENANTS: h.tenants.join(','), IES_NOTARY_KEYS_DIR: mkdtempSync(path.join(tmpdir(), 'ies-notary-')), IES_OPERATOR_JWKS_FILE: h.config.auth.operatorJwksFile, IES_LOG_LEVEL: 'warn' };
  notary = await startNotaryService(env, { onFatal: (err) => assert.fail(err), logger: createLogger({ name: 'it', level: 'silent' }, nullStream()) });
  loader = await startLoaderService(env);
  fanout = await startFanout(h.kafkaAs('fanout'), h.serde, [tenant], { groupId: `ies-fanout-${tenant}`, transactionalId: `${h.config.nodeId}-fanout-${tenant}` });
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
  const q = new Queue(QUEUES.settlementStatements, { connection: h.redis });
  await q.remove(`stmt.${tenant}.day.${STATEMENT_DAY}`);
  await q.close();
  await ch.close();
  await browser?.close();
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
async function consoleLink(as: string): Promise<string> {
  const { stdout } = await promisify(execFile)(process.execPath, [path.join(root, 'services/cli/dist/src/bin.js'), 'console', '--as', as, '--url', base], { env: { ...process.env, IES_KEYS_DIR: keysDir, IES_NODE_ID: h.config.nodeId } });
  return stdout.trim();
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
  assert.ok(paths.includes('/v1/dead-letters') && paths.includes('/v1/head-ends'), paths.join(' '));
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

test('a DISCOM user signs in with the one-time link of `ies console --as` and sees its head-end and dead letters with their reasons', async () => {
  const link = await consoleLink(`${tenant}/DESK-1`);
  assert.match(link, new RegExp(`^${base.replace(/[.]/g, '\\.')}/console/#token=[\\w-]+\\.[\\w-]+\\.[\\w-]+&go=data$`));
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
  const page = await newPage();
  await page.goto(link);
  await page.getByTestId('dead-letter-count').waitFor();
  assert.ok(!page.url().includes('token='), `the token stays in the address bar: ${page.url()}`);
  const deadLetters = await page.locator('#dead-letters table').innerText();
  assert.match(deadLetters, /IES_ERR_VEE_NEGATIVE/);
  assert.match(deadLetters, /IST/);
  assert.match(await page.locator('#head-ends table').innerText(), /HES-1[\s\S]*reads/);
  assert.match(await page.locator('#who').innerText(), /Signed in as DESK-1/);
  await page.screenshot({ path: path.join(shots, 'data-engineer.png'), fullPage: true });
  // Searching by code narrows the list to that code.
  await page.fill('#f-code', 'IES_ERR_VEE_NEGATIVE');
  await page.click('#dead-letter-filters button[type=submit]');
  await page.getByTestId('dead-letter-count').filter({ hasText: /^1 dead letter / }).waitFor();
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
  await page.screenshot({ path: path.join(shots, 'data-engineer-refused.png'), fullPage: true });
  // Its own tenant answers (empty), so the refusal is about the tenant, not the token.
  await page.goto(`${base}/console/#/data`);
  await page.reload();
  await page.locator('#dead-letters [data-state=empty]').waitFor();
  await page.context().close();
});
