import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir, totalmem } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Queue } from 'bullmq';
import { SignJWT } from 'jose';
import { settlementStatementQueue } from '@ies/contracts';
import { startFanout } from '@ies/fanout';
import { startLoaderService } from '@ies/loader';
import { startNotaryService } from '@ies/notary';
import { createLogger } from '@ies/observability';
import { chromium, type Browser, type Page } from 'playwright-core';
import { createClickHouse, sql } from '@ies/clickhouse';
import { exportPrivateJwk, generateSigningKey, type KeyPair } from '@ies/crypto';
import { DrEventStore } from '@ies/dr/events';
import { migrateDrTables } from '@ies/dr/migrations';
import { computeEventPerformance, writeBaselines, writePerformance } from '@ies/dr/testing';
import { DisputeStore, P2pStore, SettlementKeys, STATEMENT_LINES_TABLE, StatementSinks, StatementStore, drSourceOf, finalsAtCutoff, runCalendarStatement, runStatement, type FinalAllocation, type NormalisedTrade, type PolicyPack } from '@ies/settlement/testing';
import { migrateSettlementTables } from '@ies/settlement/migrations';
import { istDayStart } from '@ies/units';
import { eventually, nullStream, stackConfig, uniqueTenant } from '@ies/testing';
import { CSV_HEADER, istBlocks, registryYaml, startHarness, type Json } from './harness.js';

// The settlement team's and the aggregator's console pages in Chromium (playwright-core)
// against a node on the real stack: the desk sees its statement, pages its lines (a
// 1,000,000-line statement's first page is timed and reported), releases it with a request
// signed in the browser by its own key file, opens the diff with a revision; the aggregator
// opens an event's baseline vs metered plot; each is refused another tenant's data. On a
// calendar run of yesterday the desk raises a dispute from the page with a read proof (refused
// once as immaterial, then admitted), upholds it in part, and sees the day's loaded → settled lag.

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../../..');
const shots = path.join(root, 'docs/console');
const CHROMIUM = process.env['IES_CHROMIUM'] ?? '/usr/bin/chromium';
const DAY = '2026-03-11';
const H = 3_600_000;
const MILLION = 1_000_000;

let h: Awaited<ReturnType<typeof startHarness>>;
const tenant = uniqueTenant();
const other = uniqueTenant();
// The calendar pack of the dispute test (run INITIAL early; disputes material from ₹1.00), read by the node's dispute route.
const CAL_PACK: PolicyPack = {
  policyId: `${tenant}.cal`, discomId: tenant, version: 1, effectiveFrom: '2026-01-01',
  p2p: { wheeling: { buyerPaisePerKwh: 0, sellerPaisePerKwh: 0 }, transactionCharge: { buyerPaisePerKwh: 20, sellerPaisePerKwh: 20 }, sellerShortfall: { treatment: 'FIXED_RATE', ratePaisePerKwh: 800 }, buyerShortfall: { treatment: 'WAIVED' } },
  calendar: { allowEarlyRuns: true, runs: [{ name: 'INITIAL', cutoffMinutesAfterDayEnd: 10 * 1440, missingData: 'ZERO_PENDING' }, { name: 'FINAL', cutoffMinutesAfterDayEnd: 25 * 1440, missingData: 'ZERO_PENDING' }] },
  disputes: { materialityPaise: 100, types: { READ_VALUE: { deadlineMinutesAfterCutoff: 30 * 1440 }, NO_READ: { deadlineMinutesAfterCutoff: 30 * 1440 }, CHARGE: { deadlineMinutesAfterCutoff: 30 * 1440 } } },
};
const policiesDir = mkdtempSync(path.join(tmpdir(), 'ies-console-policies-'));
writeFileSync(path.join(policiesDir, `${tenant}.v1.json`), JSON.stringify(CAL_PACK));
let browser: Browser;
let base: string;
let desk: KeyPair;
let agg: KeyPair;
let otherDesk: KeyPair;
let deskKeyFile: string;
let headEnd: KeyPair;
let notary: Awaited<ReturnType<typeof startNotaryService>>;
let loader: Awaited<ReturnType<typeof startLoaderService>>;
let fanout: Awaited<ReturnType<typeof startFanout>>;
let event: Promise<string>;
let seeded: Promise<void>;
let v1: string;
let big: string;
const ch = createClickHouse(stackConfig());
const stores = () => ({ p2p: new P2pStore(h.redis), store: new StatementStore(h.redis), sinks: new StatementSinks({ producer: h.deps.producer, serde: h.serde, ch }) });

before(async () => {
  h = await startHarness(2, { IES_SETTLEMENT_POLICIES_DIR: policiesDir }, { tenants: [tenant, other] });
  await migrateSettlementTables(h.config);
  await migrateDrTables(h.config);
  [desk, agg, otherDesk, headEnd] = await Promise.all([generateSigningKey('EdDSA'), generateSigningKey('EdDSA'), generateSigningKey('EdDSA'), generateSigningKey('EdDSA')]);
  assert.equal((await h.applyRegistry(registryYaml(tenant, { id: 'HES-1', keys: [headEnd] }, [{ id: 'M-1' }, { id: 'M-2' }]))).statusCode, 200);
  // The ingest path (notary, fan-out, loader) puts the event's metered reads where DR reads them.
  const env = { ...process.env, IES_TENANTS: h.tenants.join(','), IES_NOTARY_KEYS_DIR: mkdtempSync(path.join(tmpdir(), 'ies-notary-')), IES_OPERATOR_JWKS_FILE: h.config.auth.operatorJwksFile, IES_LOG_LEVEL: 'warn' };
  notary = await startNotaryService(env, { onFatal: (err) => assert.fail(err), logger: createLogger({ name: 'it', level: 'silent' }, nullStream()) });
  // A consumer group of its own: the shared `ies-loader` group rebalances whenever another test's loader joins or leaves.
  loader = await startLoaderService(env, { groupId: `ies-loader-${tenant}` });
  fanout = await startFanout(h.kafkaAs('fanout'), h.serde, [tenant], { groupId: `ies-fanout-${tenant}`, transactionalId: `${h.config.nodeId}-fanout-${tenant}` });
  const participant = (id: string, role: string, k: KeyPair) => `  - id: ${id}\n    role: ${role}\n    name: ${id}\n    keys:\n      - ${JSON.stringify(k.publicJwk)}\n`;
  assert.equal((await h.applyRegistry(`discom: ${tenant}\nparticipants:\n${participant('DESK-1', 'DISCOM', desk)}${participant('AGG-1', 'AGGREGATOR', agg)}`)).statusCode, 200);
  assert.equal((await h.applyRegistry(`discom: ${other}\nparticipants:\n${participant('DESK-9', 'DISCOM', otherDesk)}`)).statusCode, 200);
  // The desk's private key file, as the demo keeps it (.stack/keys/participants/<DISCOM>/<desk>.private.jwk.json).
  deskKeyFile = path.join(mkdtempSync(path.join(tmpdir(), 'ies-console-desk-')), 'DESK-1.private.jwk.json');
  writeFileSync(deskKeyFile, JSON.stringify(await exportPrivateJwk(desk)), { mode: 0o600 });
  // Sent first: the reads go through notary, fan-out and loader while the rest is set up.
  event = seedEvent();
  event.catch(() => undefined);
  v1 = await statement(3000);
  big = await statement(3500, '2026-03-12');
  // Written while the first test runs (the whole file stays well inside the runner's 120 s).
  seeded = seedMillion();
  seeded.catch(() => undefined);
  base = await h.app.listen({ host: '127.0.0.1', port: 0 });
  mkdirSync(shots, { recursive: true });
  browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox', '--disable-dev-shm-usage'] });
});

after(async () => {
  // The million seeded rows are not left in the shared stack (a mutation: ClickHouse drops them in the background).
  await Promise.allSettled([seeded, event]);
  const q = new Queue(settlementStatementQueue(tenant), { connection: h.redis });
  for (const run of ['INITIAL', 'FINAL']) await q.remove(`stmt.${tenant}.day.${istBlocks(1)[0]!.slice(0, 10)}.${run}`);
  await q.close();
  if (tenant) await ch.command({ query: sql`ALTER TABLE statement_lines DELETE WHERE discom_id = ${tenant}` });
  await ch.close();
  await browser?.close();
  await fanout?.consumer.disconnect();
  await fanout?.producer.disconnect();
  await loader?.stop();
  await notary?.stop();
  await h?.close();
});

/** A day statement with one P2P trade (seller delivered `sellerWh` of 4000 Wh), built and signed by the settlement use case. */
async function statement(sellerWh: number, day = DAY): Promise<string> {
  const start = istDayStart(day)! + 10 * H;
  const tradeId = `tx-${day}/c`;
  const trade: NormalisedTrade = {
    tradeId, transactionId: `tx-${day}`, commitmentId: 'c', contractId: null,
    seller: { meterId: 'M-1', discomId: tenant, platformId: 'p' }, buyer: { meterId: 'M-2', discomId: other, platformId: 'p' },
    intervals: [{ startMs: start, endMs: start + H, quantityWh: 4000, pricePaisePerKwh: 600 }],
    intent: 'CONFIRM', source: { action: 'confirm', messageId: null, timestamp: null },
  };
  const final = (version: number): FinalAllocation => ({
    tradeId, sellerDiscomId: tenant, buyerDiscomId: other, sellerVersion: version, buyerVersion: 1, sellerStatus: 'COMPLETED', buyerStatus: 'COMPLETED', status: 'COMPLETED',
    intervals: [{ startMs: start, endMs: start + H, contractedWh: 4000, sellerWh, buyerWh: 4000, finalWh: sellerWh, sellerShortfallWh: 4000 - sellerWh, buyerShortfallWh: 0, deviationWh: 4000 - sellerWh }],
    evidence: [],
  });
  const { p2p, store, sinks } = stores();
  await p2p.confirm(tenant, trade, 'it', Date.now()).catch(() => undefined);
  const version = (await p2p.getFinalRecord(tenant, tradeId).catch(() => undefined))?.version ?? 0;
  await p2p.saveFinal(tenant, { discomId: tenant, version: version + 1, final: final(version + 1), sellerJws: '', buyerJws: '', at: Date.now() });
  const keys = new SettlementKeys(h.redis, mkdtempSync(path.join(tmpdir(), 'ies-console-stmt-')));
  await keys.publish(tenant);
  const policy: PolicyPack = { policyId: `${tenant}.it`, discomId: tenant, version: 1, effectiveFrom: '2026-01-01', p2p: { wheeling: { buyerPaisePerKwh: 35, sellerPaisePerKwh: 15 }, transactionCharge: { buyerPaisePerKwh: 21, sellerPaisePerKwh: 21 }, sellerShortfall: { treatment: 'FIXED_RATE', ratePaisePerKwh: 800 }, buyerShortfall: { treatment: 'WAIVED' } } };
  const outcome = await runStatement({
    p2p, dr: drSourceOf(new DrEventStore(h.redis, h.deps.producer, h.serde), ch), policies: [policy], store, sinks, now: Date.now,
    signer: async (d) => {
      const { privateKeys, jwks } = await keys.keyFile(d).current();
      return { kid: jwks[0]!.kid as string, privateKey: privateKeys[0]! };
    },
  }, tenant, { kind: 'DAY', day });
  return outcome.statementId;
}

/** 1,000,000 lines under the second statement's content hash, written by settlement's own table writer (line numbers after its real lines). */
async function seedMillion(): Promise<void> {
  const summary = (await new StatementStore(h.redis).summary(tenant, big))!;
  const from = summary.lineCount + 1;
  const t0 = Date.now();
  for (let at = from; at <= MILLION; at += 100_000) {
    const rows = Array.from({ length: Math.min(100_000, MILLION - at + 1) }, (_, i) => {
      const n = at + i;
      return { discom_id: tenant, statement_id: big, sha256: summary.sha256, line_no: n, kind: n % 2 === 0 ? 'WHEELING' : 'P2P_ENERGY', reference: `tx-seed-${n}/c`, interval_start: null, interval_end: null,
        meter_id: `SM-${n % 250_000}`, payer: `SM-${n % 250_000}`, payee: tenant, counterparty: n % 3 === 0 ? other : `SM-${n % 250_000}`, quantity_wh: 1000 + (n % 500), rate_paise_per_kwh: 35, amount_paise: 35 + (n % 17), note: '', written_at_ms: Date.now() };
    });
    await STATEMENT_LINES_TABLE.write(ch, rows);
  }
  console.log(`[console-settlement] seeded ${(MILLION - from + 1).toLocaleString('en-IN')} statement_lines rows in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
}

async function bearer(id: string, k: KeyPair): Promise<string> {
  return new SignJWT({}).setProtectedHeader({ alg: k.alg, kid: k.kid }).setIssuer(id).setAudience(h.config.nodeId).setIssuedAt().setExpirationTime('5m').sign(k.privateKey);
}

/** A browser tab signed in as `id` (the token pasted on the sign-in page, as a user does). */
async function signedIn(id: string, k: KeyPair): Promise<Page> {
  const page = await (await browser.newContext({ viewport: { width: 1280, height: 900 } })).newPage();
  await page.goto(`${base}/console/#/sign-in`);
  await page.fill('#token', await bearer(id, k));
  await page.click('form button[type=submit]');
  await page.locator('#whoami dl').waitFor();
  return page;
}

test('the line route pages the signed document\'s own lines, in order, and is in the OpenAPI document with the DR read routes', async () => {
  const auth = { authorization: `Bearer ${await bearer('DESK-1', desk)}` };
  const doc = (await h.app.inject({ method: 'GET', url: `/v1/statements/${encodeURIComponent(v1)}`, headers: auth })).json() as { lines: Json[] };
  assert.ok(doc.lines.length >= 3, `${doc.lines.length} lines`);
  const all = (await h.app.inject({ method: 'GET', url: `/v1/statements/${encodeURIComponent(v1)}/lines?limit=1000`, headers: auth })).json();
  assert.equal(all.total, doc.lines.length);
  assert.deepEqual(all.lines.map((l: Json) => [l.lineNo, l.kind, l.reference, l.intervalStartMs, l.meterId, l.payer, l.payee, l.counterparty, l.quantityWh, l.ratePaisePerKwh, l.amountPaise]),
    doc.lines.map((l, i) => [i + 1, l.kind, l.reference, l.intervalStartMs, l.meterId ?? null, l.payer, l.payee, l.counterparty, l.quantityWh, l.ratePaisePerKwh, l.amountPaise]));
  const page2 = (await h.app.inject({ method: 'GET', url: `/v1/statements/${encodeURIComponent(v1)}/lines?offset=1&limit=1`, headers: auth })).json();
  assert.deepEqual([page2.total, page2.lines.map((l: Json) => l.lineNo)], [doc.lines.length, [2]]);
  const kind = doc.lines[0]!.kind as string;
  const byKind = (await h.app.inject({ method: 'GET', url: `/v1/statements/${encodeURIComponent(v1)}/lines?kind=${kind}`, headers: auth })).json();
  assert.equal(byKind.total, doc.lines.filter((l) => l.kind === kind).length);
  assert.ok(byKind.lines.every((l: Json) => l.kind === kind));
  assert.equal((await h.app.inject({ method: 'GET', url: `/v1/statements/${encodeURIComponent(v1)}/lines?limit=1001`, headers: auth })).statusCode, 400);
  const paths = Object.keys(((await h.app.inject({ method: 'GET', url: '/openapi.json' })).json() as Json).paths);
  for (const p of ['/v1/statements/{id}/lines', '/v1/dr/events', '/v1/dr/events/{eventId}/load']) assert.ok(paths.includes(p), p);
});

test('the settlement desk sees its statement, pages a 1,000,000-line statement (first page timed), releases with a signed action and opens the diff of a revision', async () => {
  await seeded;
  // The same page through the API alone (no browser): where the time goes.
  const auth = { authorization: `Bearer ${await bearer('DESK-1', desk)}` };
  const apiMs: number[] = [];
  for (let i = 0; i < 3; i++) {
    const t = performance.now();
    const r = await h.app.inject({ method: 'GET', url: `/v1/statements/${encodeURIComponent(big)}/lines?limit=100`, headers: auth });
    apiMs.push(Math.round(performance.now() - t));
    assert.deepEqual([r.statusCode, r.json().total, r.json().lines.length], [200, MILLION, 100]);
  }
  console.log(`[console-settlement] GET /v1/statements/{id}/lines?limit=100 of the 1,000,000-line statement (API only, 3 times): ${apiMs.join(', ')} ms`);

  const page = await signedIn('DESK-1', desk);
  await page.goto(`${base}/console/#/settlement?day=2026-03-12&id=${encodeURIComponent(big)}`);
  const range = page.getByTestId('line-range');
  await range.filter({ hasText: /of 10,00,000 matching lines/ }).waitFor({ timeout: 30_000 });
  const firstPage = await page.getByTestId('line-ms').innerText();
  // Open it again (a fresh navigation, warm server): the figure a user sees on a second visit.
  await page.goto(`${base}/console/#/settlement?day=2026-03-12`);
  await page.goto(`${base}/console/#/settlement?day=2026-03-12&id=${encodeURIComponent(big)}`);
  await range.filter({ hasText: /of 10,00,000 matching lines/ }).waitFor({ timeout: 30_000 });
  console.log(`[console-settlement] 1,000,000-line statement, first page of 100 lines rendered: cold${firstPage}, warm${await page.getByTestId('line-ms').innerText()} (${cpus().length} cores, ${(totalmem() / 2 ** 30).toFixed(0)} GiB)`);
  assert.match(await range.innerText(), /^lines 1–100 of 10,00,000 matching lines$/);
  // Next page, then a filter the server applies (kind and counterparty).
  await page.click('#l-next');
  await range.filter({ hasText: /^lines 101–200 / }).waitFor();
  await page.selectOption('#l-kind', 'WHEELING');
  await page.fill('#l-counterparty', other);
  await page.click('#line-filters button[type=submit]');
  await range.filter({ hasText: /^lines 1–100 of 1,66,66\d matching lines$/ }).waitFor();
  assert.match(await page.locator('#st-lines table').innerText(), new RegExp(`WHEELING[\\s\\S]*${other}`));
  console.log(`[console-settlement] the same statement filtered by kind and counterparty (1,66,66x of 10,00,000 lines), first page:${await page.getByTestId('line-ms').innerText()}`);
  await page.locator('#st-lines').screenshot({ path: path.join(shots, 'settlement-lines.png') });

  // The first statement: status, totals in ₹, positions towards the counterparty DISCOM; released by a signed action.
  await page.goto(`${base}/console/#/settlement?day=${DAY}&id=${encodeURIComponent(v1)}`);
  await page.getByTestId('st-status').waitFor();
  await range.filter({ hasText: /^lines 1–\d+ of \d+ matching lines?$/ }).waitFor();
  assert.match(await page.locator('#statements table').innerText(), new RegExp(`${v1.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}[\\s\\S]*₹`));
  await page.locator('#st-positions table').first().waitFor();
  assert.match(await page.locator('#st-positions').innerText(), new RegExp(`Towards each counterparty DISCOM[\\s\\S]*${other}\\s+₹`));
  await page.click('#act-final');
  assert.match(await page.locator('#act-out [role=alert]').innerText(), /Load the desk's private key file first/);
  await page.setInputFiles('#desk-key', deskKeyFile);
  await page.locator('#desk-key-note', { hasText: desk.kid }).waitFor();
  await page.fill('#act-reason', 'released from the console');
  await page.click('#act-final');
  await page.getByTestId('act-result').filter({ hasText: /is FINAL \(signed by / }).waitFor();
  assert.equal(await page.getByTestId('st-status').innerText(), 'FINAL');
  await page.screenshot({ path: path.join(shots, 'settlement-released.png'), fullPage: true });
  // The node kept the browser's signature with the decision.
  const history = await h.app.inject({ method: 'GET', url: `/v1/statements/${encodeURIComponent(v1)}/history`, headers: { authorization: `Bearer ${await bearer('DESK-1', desk)}` } });
  const decided = (history.json().history as Json[]).filter((c) => c.signed !== undefined);
  assert.deepEqual(decided.map((c) => [c.status, c.by, c.reason, c.signed.kid]), [['FINAL', 'DESK-1', 'released from the console', desk.kid]]);

  // A revision (the seller's final changed to 4000 Wh), then its diff against the released version.
  const v2 = await statement(4000);
  assert.notEqual(v2, v1);
  await page.goto(`${base}/console/#/settlement?day=${DAY}&id=${encodeURIComponent(v2)}`);
  await page.locator('#diff-against').waitFor();
  assert.match(await page.locator('#st-head').innerText(), new RegExp(`version\\s+1 \\(revises ${v1.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\)`));
  await page.selectOption('#diff-against', v1);
  await page.click('#diff-go');
  await page.getByTestId('diff-summary').waitFor();
  assert.match(await page.getByTestId('diff-summary').innerText(), new RegExp(`→ .*: [1-9]\\d* changed lines?; net ₹`));
  assert.match(await page.locator('#diff-out table').innerText(), /CHANGED\s+REVISED_READ\s+P2P_ENERGY/);
  await page.locator('#st-disputes [data-state=empty]').waitFor();
  await page.screenshot({ path: path.join(shots, 'settlement-diff.png'), fullPage: true });
  // The revision contested: the other signed action, by the same key file.
  await page.setInputFiles('#desk-key', deskKeyFile);
  await page.locator('#desk-key-note', { hasText: desk.kid }).waitFor();
  await page.fill('#act-reason', 'meter M-1 contested');
  await page.click('#act-dispute');
  await page.getByTestId('act-result').filter({ hasText: /is DISPUTED \(signed by / }).waitFor();
  assert.equal(await page.getByTestId('st-status').innerText(), 'DISPUTED');
  await page.context().close();
});

/** A measured DR event of AGG-1 (yesterday 18:00–19:00 IST): its record, baselines, two performance versions, and its meters' reads sent through the ingest path. */
async function seedEvent(): Promise<string> {
  const drStore = new DrEventStore(h.redis, h.deps.producer, h.serde);
  // Yesterday 18:00–19:00 IST, whose reads the head-end sends now.
  const blocks = istBlocks(76).slice(72);
  const eventDay = blocks[0]!.slice(0, 10);
  const starts = blocks.map((b) => Date.parse(b));
  const start = starts[0]!;
  const eventId = `EV-${tenant}`;
  await drStore.create(tenant, {
    eventId, programmeId: 'PEAK-SHAVE', aggregatorId: 'AGG-1', start, end: start + H, eventDay,
    intervals: starts.map((s) => ({ intervalStart: s, requestedWh: 2000, offeredWh: 1500, pricePaisePerKwh: 900, shortfallPenaltyPaisePerKwh: 300 })),
    participatingMeters: ['M-1', 'M-2'], meterCount: 2, participatingMetersDigest: '0'.repeat(64), methodology: { ref: 'deg-5of10@1', id: 'deg-5of10', version: 1 },
  }, 'AGG-1', start - 86_400_000);
  for (const [to, by] of [['ACTIVE', 'AGG-1'], ['BASELINED', 'baseline-worker'], ['MEASURED', 'performance-sweep']] as const) await drStore.transition(tenant, eventId, to, by, start + (to === 'ACTIVE' ? -H : 2 * H), null);
  const baselineWh = { 'M-1': [1200, 1300, 1250, 1100], 'M-2': [900, 950, 1000, 980] };
  const usageWh = { 'M-1': [500, 600, 700, 800], 'M-2': [400, 450, 500, 900] };
  await writeBaselines(ch, { discomId: tenant, eventId, version: 1 } as never, {
    policy: 'deg-5of10@1', intervalStarts: starts,
    meters: Object.entries(baselineWh).map(([meterId, b]) => ({ meterId, status: 'OK', baselineWh: b, unadjustedWh: b, selectedDays: [DAY], detail: null })),
  } as never, Date.now());
  const perf = (usage: Record<string, number[]>) => computeEventPerformance({
    intervals: starts.map((s) => ({ intervalStart: s, offeredWh: 1500, pricePaisePerKwh: 900, shortfallPenaltyPaisePerKwh: 300 })),
    meters: Object.entries(baselineWh).map(([meterId, b]) => ({ meterId, baselineWh: b, usageWh: usage[meterId]! })),
  });
  const measured = { discomId: tenant, eventId, aggregatorId: 'AGG-1', intervalStarts: starts };
  await writePerformance(ch, measured, perf({ ...usageWh, 'M-2': [400, 450, 500, null as never] }), 1, Date.now() - 60_000);
  await writePerformance(ch, measured, perf(usageWh), 2, Date.now());

  const csv = `${CSV_HEADER}\n${Object.entries(usageWh).flatMap(([m, u]) => u.map((wh, i) => `${m},${blocks[i]},${wh},0,VALID`)).join('\n')}\n`;
  const { res } = await h.submit(csv, headEnd);
  assert.equal(res.statusCode, 202, res.body);
  return eventId;
}

test('the aggregator opens its event with its lifecycle and the baseline vs metered plot (whole event and one meter), a revised measurement marked', async () => {
  const eventId = await event;
  const aggToken = await bearer('AGG-1', agg);
  await eventually(async () => {
    const r = await h.app.inject({ method: 'GET', url: `/v1/dr/events/${encodeURIComponent(eventId)}/load`, headers: { authorization: `Bearer ${aggToken}` } });
    return r.statusCode === 200 && (r.json().total.usageWh as (number | null)[]).every((v) => v !== null) ? true : undefined;
  }, 90_000, 'the metered reads of the event in ClickHouse');

  const page = await signedIn('AGG-1', agg);
  await page.goto(`${base}/console/#/aggregator?event=${encodeURIComponent(eventId)}`);
  await page.locator(`#events a[data-event="${eventId}"]`).waitFor();
  assert.match(await page.locator('#programmes').innerText(), /PEAK-SHAVE\s+1 event/);
  assert.match(await page.locator('#events').innerText(), /MEASURED[\s\S]*DRAFT[\s\S]*ACTIVE[\s\S]*BASELINED[\s\S]*MEASURED/);
  await page.getByTestId('plot-caption').waitFor();
  assert.match(await page.getByTestId('plot-caption').innerText(), /^whole event \(2 meters\); baseline 8,680 Wh, metered 4,850 Wh, delivered 3,830 Wh \(measurement version 2, revised\)\.$/);
  assert.match(await page.getByTestId('perf-version').innerText(), /^version 2 \(revised/);
  assert.equal(await page.getByTestId('perf-delivered').innerText(), '3,830 Wh');
  assert.match(await page.getByTestId('perf-payment').innerText(), /^₹\d/);
  await page.locator('#load-chart canvas').waitFor();
  assert.equal(await page.locator('#load-chart .legend li[data-series=baseline]').innerText(), 'baseline (8,680 Wh over 4 intervals)');
  await page.screenshot({ path: path.join(shots, 'aggregator-event.png'), fullPage: true });
  await page.selectOption('#plot-meter', 'M-1');
  await page.getByTestId('plot-caption').filter({ hasText: /^meter M-1; baseline 4,850 Wh, metered 2,600 Wh, delivered 2,250 Wh/ }).waitFor();
  await page.context().close();
});

test("each role is refused another tenant's data: the other desk cannot open this tenant's statement or its lines, nor the aggregator's event", async () => {
  const page = await signedIn('DESK-9', otherDesk);
  await page.goto(`${base}/console/#/settlement?day=2026-03-12&id=${encodeURIComponent(big)}`);
  // Its own day has no statement; this tenant's statement id is not found for it (a tenant never sees another's).
  await page.locator('#statements [data-state=empty]').waitFor();
  const lines = await h.app.inject({ method: 'GET', url: `/v1/statements/${encodeURIComponent(big)}/lines?limit=5`, headers: { authorization: `Bearer ${await bearer('DESK-9', otherDesk)}` } });
  assert.deepEqual([lines.statusCode, lines.json().code], [404, 'IES_ERR_STATEMENT_NOT_FOUND']);
  await page.goto(`${base}/console/#/aggregator?event=${encodeURIComponent(`EV-${tenant}`)}`);
  const refusal = page.locator('#event [role=alert]');
  await refusal.waitFor();
  assert.equal(await refusal.getAttribute('data-code'), 'IES_ERR_NOT_FOUND');
  assert.match(await refusal.innerText(), /HTTP 404/);
  await page.screenshot({ path: path.join(shots, 'aggregator-refused.png'), fullPage: true });
  // The aggregator has no standing on statements at all (role), and sees only its own tenant's events.
  const aggLines = await h.app.inject({ method: 'GET', url: `/v1/statements/${encodeURIComponent(big)}/lines`, headers: { authorization: `Bearer ${await bearer('AGG-1', agg)}` } });
  assert.deepEqual([aggLines.statusCode, aggLines.json().code], [403, 'IES_ERR_STATEMENT_ROLE_FORBIDDEN']);
  const theirs = await h.app.inject({ method: 'GET', url: '/v1/dr/events', headers: { authorization: `Bearer ${await bearer('DESK-9', otherDesk)}` } });
  assert.deepEqual([theirs.statusCode, theirs.json().events], [200, []]);
  await page.context().close();
});

test('on a calendar run the desk raises a dispute from the page with a read proof (refused once as immaterial, code shown), upholds it in part, and sees the day\'s loaded → settled lag', async () => {
  await event;
  const blocks = istBlocks(76).slice(72);
  const day = blocks[0]!.slice(0, 10);
  const start = Date.parse(blocks[0]!);
  const auth = async () => ({ authorization: `Bearer ${await bearer('DESK-1', desk)}` });
  // M-1's metered read at 18:00 IST yesterday (notarised and loaded by the ingest path above), as GET /v1/reads/proof serves it.
  const proof = await eventually(async () => {
    const r = await h.app.inject({ method: 'GET', url: `/v1/reads/proof?meterId=M-1&blockStart=${encodeURIComponent(blocks[0]!)}&channel=import`, headers: await auth() });
    return r.statusCode === 200 ? r.body : undefined;
  }, 90_000, 'the read proof of M-1');
  const proofFile = path.join(mkdtempSync(path.join(tmpdir(), 'ies-console-proof-')), 'M-1.read-proof.json');
  writeFileSync(proofFile, proof);

  // A trade of yesterday 18:00–19:00 (M-2 sells to M-1, 4000 Wh; allocated 3000) settled by the calendar's INITIAL run.
  const tradeId = `tx-${tenant}-cal/c`;
  const trade: NormalisedTrade = {
    tradeId, transactionId: `tx-${tenant}-cal`, commitmentId: 'c', contractId: null,
    seller: { meterId: 'M-2', discomId: tenant, platformId: 'p' }, buyer: { meterId: 'M-1', discomId: tenant, platformId: 'p' },
    intervals: [{ startMs: start, endMs: start + H, quantityWh: 4000, pricePaisePerKwh: 600 }],
    intent: 'CONFIRM', source: { action: 'confirm', messageId: null, timestamp: null },
  };
  const { p2p, store, sinks } = stores();
  await p2p.confirm(tenant, trade, 'it', Date.now());
  await p2p.saveFinal(tenant, { discomId: tenant, version: 1, at: Date.now() - 1, sellerJws: '', buyerJws: '', final: {
    tradeId, sellerDiscomId: tenant, buyerDiscomId: tenant, sellerVersion: 1, buyerVersion: 1, sellerStatus: 'COMPLETED', buyerStatus: 'COMPLETED', status: 'COMPLETED',
    intervals: [{ startMs: start, endMs: start + H, contractedWh: 4000, sellerWh: 3000, buyerWh: 3000, finalWh: 3000, sellerShortfallWh: 1000, buyerShortfallWh: 1000, deviationWh: 1000 }], evidence: [],
  } });
  const keys = new SettlementKeys(h.redis, mkdtempSync(path.join(tmpdir(), 'ies-console-cal-')));
  await keys.publish(tenant);
  const initial = (await runCalendarStatement({
    p2p, dr: drSourceOf(new DrEventStore(h.redis, h.deps.producer, h.serde), ch), policies: [CAL_PACK], store, sinks, now: Date.now,
    disputes: new DisputeStore(h.redis, { producer: h.deps.producer, serde: h.serde }),
    signer: async (d) => {
      const { privateKeys, jwks } = await keys.keyFile(d).current();
      return { kid: jwks[0]!.kid as string, privateKey: privateKeys[0]! };
    },
    finalsAt: (d, ids, cutoffMs) => finalsAtCutoff(ch, (id) => p2p.getFinalRecord(d, id), d, ids, cutoffMs),
  }, tenant, day, 'INITIAL')).statementId;
  const line = ((await h.app.inject({ method: 'GET', url: `/v1/statements/${encodeURIComponent(initial)}/lines?kind=P2P_ENERGY&meter=M-1`, headers: await auth() })).json().lines as Json[])[0]!;
  const stated = line.amountPaise as number;

  const page = await signedIn('DESK-1', desk);
  await page.goto(`${base}/console/#/settlement?day=${day}&id=${encodeURIComponent(initial)}`);
  await page.locator(`#st-lines input.pick-line[data-line="${line.lineNo}"]`).check();
  await page.setInputFiles('#desk-key', deskKeyFile);
  await page.locator('#desk-key-note', { hasText: desk.kid }).waitFor();
  await page.setInputFiles('#dsp-evidence', proofFile);
  assert.match(await page.locator('#dsp-evidence-list li[data-evidence=READ_PROOF]').innerText(), /read proof: M-1 IMPORT 500 Wh/);
  // 50 paise more: below the pack's ₹1.00 materiality.
  const claim = (paise: number) => page.fill(`#dsp-lines input.claim-rupees[data-line="${line.lineNo}"]`, (paise / 100).toFixed(2));
  await claim(stated + 50);
  await page.fill('#dsp-reason', 'M-1 imported 2,600 Wh; its reads are proven');
  await page.click('#dsp-raise');
  const refused = page.locator('#dsp-out [role=alert]');
  await refused.waitFor();
  assert.equal(await refused.getAttribute('data-code'), 'IES_ERR_DISPUTE_IMMATERIAL');
  assert.match(await refused.innerText(), /^IES_ERR_DISPUTE_IMMATERIAL \(HTTP 422\): /);
  await page.locator('#st-raise').screenshot({ path: path.join(shots, 'settlement-dispute-refused.png') });

  // ₹6.00 more, 4000 Wh: admitted; the statement is DISPUTED, the dispute opens under the day's disputes.
  await claim(stated + 600);
  await page.fill(`#dsp-lines input.claim-wh[data-line="${line.lineNo}"]`, '4000');
  await page.click('#dsp-raise');
  const raised = await page.getByTestId('dsp-raised').innerText();
  const disputeId = /^(DSP-[0-9a-f]{20}) RAISED on /.exec(raised)?.[1];
  assert.ok(disputeId, raised);
  assert.match(raised, /claimed: ₹6\.00 receivable from meter:M-1\.$/);
  await page.getByTestId('dsp-status').filter({ hasText: 'RAISED' }).waitFor();
  await page.locator(`#st-disputes button[data-dispute="${disputeId}"]`).waitFor();
  // The desk decides: under review, then upheld in part at ₹3.00 more.
  await page.selectOption('#dec-status', 'UNDER_REVIEW');
  await page.click('#dec-go');
  await page.getByTestId('dec-result').filter({ hasText: `${disputeId} is UNDER_REVIEW (signed by ${desk.kid})` }).waitFor();
  await page.selectOption('#dec-status', 'UPHELD');
  await page.fill('#dispute input.decided-rupees[data-line="0"]', ((stated + 300) / 100).toFixed(2));
  await page.fill('#dec-reason', 'upheld in part: half the claim');
  await page.click('#dec-go');
  await page.getByTestId('dec-result').filter({ hasText: `${disputeId} is UPHELD` }).waitFor();
  assert.equal(await page.getByTestId('dsp-adjustments').innerText(), '₹3.00 receivable from meter:M-1');
  assert.equal(await page.locator(`#dispute code[data-kid="${desk.kid}"]`).count(), 3);
  await page.locator('#dispute').screenshot({ path: path.join(shots, 'settlement-dispute-upheld.png') });
  // The node's record: the browser's three signed writes, the decided figure, the statement DISPUTED.
  const shown = (await h.app.inject({ method: 'GET', url: `/v1/disputes/${disputeId}`, headers: await auth() })).json();
  assert.deepEqual([shown.dispute.status, shown.dispute.statementId, shown.dispute.decided, shown.dispute.adjustments], ['UPHELD', initial, [{ amountPaise: stated + 300 }], [{ counterparty: 'meter:M-1', amountPaise: 300 }]]);
  assert.deepEqual((shown.dispute.proven.reads as Json[]).map((r) => [r.meterId, r.channel, r.wh]), [['M-1', 'IMPORT', 500]]);
  assert.deepEqual((shown.history as Json[]).map((c) => [c.status, c.by, c.signed?.kid]), [['RAISED', 'DESK-1', desk.kid], ['UNDER_REVIEW', 'DESK-1', desk.kid], ['UPHELD', 'DESK-1', desk.kid]]);
  const st = (await h.app.inject({ method: 'GET', url: `/v1/statements/${encodeURIComponent(initial)}/history`, headers: await auth() })).json();
  assert.equal(st.status, 'DISPUTED');

  // Loaded → settled on the data-engineer page: yesterday's reads were loaded, then INITIAL was issued.
  const loaded = (await h.app.inject({ method: 'GET', url: `/v1/reads/day-loaded?day=${day}`, headers: await auth() })).json();
  assert.ok(loaded.reads >= 8 && loaded.batches >= 1 && typeof loaded.lastLoadedAt === 'number', JSON.stringify(loaded));
  const issuedAt = (st.history as Json[])[0]!.at as number;
  await page.goto(`${base}/console/#/data`);
  const lag = page.getByTestId(`lag-${day}`);
  await lag.waitFor();
  const row = await page.locator('#settled-lag tr', { has: lag }).innerText();
  assert.match(row, new RegExp(`^${day}\\s+${(loaded.reads as number).toLocaleString('en-IN')}\\s+\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d IST\\s+INITIAL \\(DISPUTED\\)\\s+\\d{4}-`));
  assert.match(await lag.innerText(), issuedAt >= loaded.lastLoadedAt ? /^\d+ (s|min \d+ s|h \d+ min)$/ : /after the run \(not settled yet\)$/);
  // Another tenant's day is refused, not filtered to empty.
  const foreign = await h.app.inject({ method: 'GET', url: `/v1/reads/day-loaded?day=${day}&discom=${other}`, headers: await auth() });
  assert.deepEqual([foreign.statusCode, foreign.json().code], [403, 'IES_ERR_TENANT_FORBIDDEN']);
  await page.locator('#settled-lag').screenshot({ path: path.join(shots, 'data-engineer-settled-lag.png') });
  await page.context().close();
});
