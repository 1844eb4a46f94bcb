// The statements API on the real stack: a statement built and signed by the settlement use
// case (inputs from the real P2pStore), served per tenant as JSON, CSV or JWS, re-run on
// demand, moved to FINAL, and pulled and verified offline with the `ies` command.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { Queue } from 'bullmq';
import { SignJWT, type JWK } from 'jose';
import { createClickHouse } from '@ies/clickhouse';
import { settlementStatementQueue } from '@ies/contracts';
import { generateSigningKey, signDetached, verifyDetached, type KeyPair } from '@ies/crypto';
import { DrEventStore } from '@ies/dr/events';
import { migrateSettlementTables } from '@ies/settlement/migrations';
import { createRedis } from '@ies/redis';
import { stackConfig } from '@ies/testing';
import { CSV_HEADER, P2pStore, SettlementKeys, StatementSinks, StatementStore, drSourceOf, runStatement, type FinalAllocation, type NormalisedTrade, type PolicyPack } from '@ies/settlement/testing';
import { verifyStatementJws } from '@ies/verify';
import { istDayStart } from '@ies/units';
import { startHarness, type Json } from './harness.js';

const DAY = '2026-03-10';
const H = 3_600_000;
let h: Awaited<ReturnType<typeof startHarness>>;
let A: string;
let B: string;
const keys: Record<string, KeyPair> = {};
let statementId: string;
let json: string;
let rerun: () => Promise<{ statementId: string }>;
let reviseFinal: () => Promise<unknown>;
const redis = createRedis(stackConfig());
const ch = createClickHouse(stackConfig());
/** The `ies` command as users run it (services/cli is built before the integration tests). */
const IES_BIN = fileURLToPath(new URL('../../../../cli/dist/src/bin.js', import.meta.url));

function ies(args: string[]): Promise<{ code: number | null; out: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [IES_BIN, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    child.on('exit', (code) => resolve({ code, out }));
  });
}

const participants = (discom: string, list: [string, string, KeyPair][]) =>
  `discom: ${discom}\nparticipants:\n${list.map(([id, role, k]) => `  - id: ${id}\n    role: ${role}\n    name: ${id}\n    keys:\n      - ${JSON.stringify(k.publicJwk)}`).join('\n')}\n`;

before(async () => {
  h = await startHarness(2);
  [A, B] = h.tenants as [string, string];
  for (const id of ['A-DISCOM', 'A-AGG', 'B-DISCOM']) keys[id] = await generateSigningKey('EdDSA');
  assert.equal((await h.applyRegistry(participants(A, [['A-DISCOM', 'DISCOM', keys['A-DISCOM']!], ['A-AGG', 'AGGREGATOR', keys['A-AGG']!]]))).statusCode, 200);
  assert.equal((await h.applyRegistry(participants(B, [['B-DISCOM', 'DISCOM', keys['B-DISCOM']!]]))).statusCode, 200);
  await migrateSettlementTables(h.config);

  // A's day: one trade S-1 → B-1, 2 × 4 kWh at ₹6.00, the seller delivered 3 kWh an hour.
  const start = istDayStart(DAY)! + 10 * H;
  const trade: NormalisedTrade = {
    tradeId: 'tx-api/c', transactionId: 'tx-api', commitmentId: 'c', contractId: null,
    seller: { meterId: 'S-1', discomId: A, platformId: 'p' }, buyer: { meterId: 'B-1', discomId: A, platformId: 'p' },
    intervals: [0, 1].map((i) => ({ startMs: start + i * H, endMs: start + (i + 1) * H, quantityWh: 4000, pricePaisePerKwh: 600 })),
    intent: 'CONFIRM', source: { action: 'confirm', messageId: null, timestamp: null },
  };
  const final: FinalAllocation = {
    tradeId: trade.tradeId, sellerDiscomId: A, buyerDiscomId: A, sellerVersion: 1, buyerVersion: 1, sellerStatus: 'COMPLETED', buyerStatus: 'COMPLETED', status: 'COMPLETED',
    intervals: trade.intervals.map((iv) => ({ startMs: iv.startMs, endMs: iv.endMs, contractedWh: 4000, sellerWh: 3000, buyerWh: 4000, finalWh: 3000, sellerShortfallWh: 1000, buyerShortfallWh: 0, deviationWh: 1000 })),
    evidence: [],
  };
  const p2p = new P2pStore(redis);
  await p2p.confirm(A, trade, 'it', Date.now()).catch(() => undefined);
  await p2p.saveFinal(A, { discomId: A, version: 1, final, sellerJws: '', buyerJws: '', at: Date.now() });
  const settlementKeys = new SettlementKeys(redis, mkdtempSync(path.join(tmpdir(), 'ies-stmt-api-')));
  await settlementKeys.publish(A);
  const policy: PolicyPack = { policyId: `${A}.it`, discomId: A, version: 1, effectiveFrom: '2026-01-01', p2p: { wheeling: { buyerPaisePerKwh: 35, sellerPaisePerKwh: 15 }, transactionCharge: { buyerPaisePerKwh: 21, sellerPaisePerKwh: 21 }, sellerShortfall: { treatment: 'FIXED_RATE', ratePaisePerKwh: 800 }, buyerShortfall: { treatment: 'WAIVED' } } };
  const runDeps = {
    p2p, dr: drSourceOf(new DrEventStore(redis, h.deps.producer, h.serde), ch), policies: [policy], store: new StatementStore(redis),
    sinks: new StatementSinks({ producer: h.deps.producer, serde: h.serde, ch }), now: Date.now,
    signer: async (d: string) => {
      const { privateKeys, jwks } = await settlementKeys.keyFile(d).current();
      return { kid: jwks[0]!.kid as string, privateKey: privateKeys[0]! };
    },
  };
  const outcome = await runStatement(runDeps, A, { kind: 'DAY', day: DAY });
  statementId = outcome.statementId;
  rerun = () => runStatement(runDeps, A, { kind: 'DAY', day: DAY });
  // A revised read: the seller delivered all 4 kWh of the first hour after all.
  reviseFinal = () => p2p.saveFinal(A, { discomId: A, version: 2, final: { ...final, intervals: final.intervals.map((iv, i) => (i === 0 ? { ...iv, sellerWh: 4000, finalWh: 4000, sellerShortfallWh: 0, deviationWh: 0 } : iv)) }, sellerJws: '', buyerJws: '', at: Date.now() });
});

after(async () => {
  const q = new Queue(settlementStatementQueue(A), { connection: redis });
  await q.remove(`stmt.${A}.day.${DAY}`);
  await q.close();
  await h.close();
  redis.disconnect();
  await ch.close();
});

async function token(id: string): Promise<string> {
  const k = keys[id]!;
  return new SignJWT({}).setProtectedHeader({ alg: k.alg, kid: k.kid }).setIssuer(id).setAudience(h.config.nodeId).setIssuedAt().setExpirationTime('2m').sign(k.privateKey);
}

async function call(method: 'GET' | 'POST', url: string, as: string, opts: { accept?: string; body?: Json } = {}) {
  return h.app.inject({ method, url, headers: { authorization: `Bearer ${await token(as)}`, ...(opts.accept ? { accept: opts.accept } : {}) }, ...(opts.body ? { payload: opts.body } : {}) });
}

let jtis = 0;
/** A signed write (detached JWS over the body, bound to method, path and the signer's tenant). */
async function signed(url: string, as: string, tenant: string, body: Json, jti = `stmt-it-${Date.now()}-${++jtis}`) {
  const bytes = Buffer.from(JSON.stringify(body));
  const signature = await signDetached(bytes, keys[as]!, { iat: Math.floor(Date.now() / 1000), jti, htm: 'POST', htu: url, tenant });
  return h.app.inject({ method: 'POST', url, headers: { 'content-type': 'application/json', 'x-ies-signature': signature }, payload: bytes });
}

test('list and fetch: canonical JSON by default, CSV and the JWS by Accept; the JWS verifies with the tenant JWKS', async () => {
  const list = await call('GET', `/v1/statements?day=${DAY}`, 'A-DISCOM');
  assert.equal(list.statusCode, 200, list.body);
  assert.deepEqual(list.json().statements.map((s: Json) => [s.statementId, s.status, s.version]), [[statementId, 'COMPUTED', 0]]);
  const url = `/v1/statements/${encodeURIComponent(statementId)}`;
  const doc = await call('GET', url, 'A-DISCOM');
  assert.equal(doc.statusCode, 200);
  assert.match(String(doc.headers['content-type']), /^application\/json/);
  assert.equal(doc.headers['x-ies-statement-status'], 'COMPUTED');
  json = doc.body;
  const csv = await call('GET', url, 'A-DISCOM', { accept: 'text/csv' });
  assert.match(String(csv.headers['content-type']), /^text\/csv/);
  assert.equal(csv.body.split('\r\n')[0], CSV_HEADER.join(','));
  assert.equal(csv.body.trimEnd().split('\r\n').length, 1 + (JSON.parse(json) as { lines: unknown[] }).lines.length);
  const jws = await call('GET', url, 'A-DISCOM', { accept: 'application/jose' });
  assert.equal(jws.headers['content-type'], 'application/jose');
  const jwks = (await h.app.inject({ method: 'GET', url: `/.well-known/jwks.json?discom=${A}` })).json().keys as JWK[];
  const check = await verifyStatementJws(jws.body, jwks);
  assert.ok(check.ok, JSON.stringify(check));
  assert.equal(check.json, json);
  const refused = await call('GET', url, 'A-DISCOM', { accept: 'image/png' });
  assert.deepEqual([refused.statusCode, refused.json().code], [406, 'IES_ERR_NOT_ACCEPTABLE']);
  assert.match(String(refused.headers['content-type']), /problem\+json/);
});

test("a tenant sees only its own statements, and only its DISCOM participant does", async () => {
  const url = `/v1/statements/${encodeURIComponent(statementId)}`;
  const other = await call('GET', url, 'B-DISCOM');
  assert.deepEqual([other.statusCode, other.json().code], [404, 'IES_ERR_STATEMENT_NOT_FOUND']);
  assert.deepEqual((await call('GET', `/v1/statements?day=${DAY}`, 'B-DISCOM')).json().statements, []);
  const moved = await signed(`${url}/transitions`, 'B-DISCOM', B, { to: 'FINAL' });
  assert.deepEqual([moved.statusCode, moved.json().code], [404, 'IES_ERR_STATEMENT_NOT_FOUND']);
  const agg = await call('GET', url, 'A-AGG');
  assert.deepEqual([agg.statusCode, agg.json().code], [403, 'IES_ERR_STATEMENT_ROLE_FORBIDDEN']);
  assert.equal((await h.app.inject({ method: 'GET', url })).statusCode, 401);
});

test('runs are enqueued under a deterministic job id; signed transitions follow the lifecycle and are kept with the history', async () => {
  const run = await call('POST', '/v1/statements/runs', 'A-DISCOM', { body: { day: DAY } });
  assert.equal(run.statusCode, 202, run.body);
  assert.equal(run.json().jobId, `stmt.${A}.day.${DAY}`);
  assert.equal((await call('POST', '/v1/statements/runs', 'A-DISCOM', { body: { day: DAY } })).json().jobId, run.json().jobId);
  assert.equal((await call('POST', '/v1/statements/runs', 'A-DISCOM', { body: { day: '2999-01-01' } })).statusCode, 400);
  assert.equal((await call('POST', '/v1/statements/runs', 'A-DISCOM', { body: { day: DAY, eventId: 'x' } })).statusCode, 400);
  assert.equal((await call('POST', '/v1/statements/runs', 'A-DISCOM', { body: { eventId: 'no-such-event' } })).statusCode, 404);
  const url = `/v1/statements/${encodeURIComponent(statementId)}/transitions`;
  // A bearer token is no longer enough: FINAL and DISPUTED are signed decisions.
  const bearer = await call('POST', url, 'A-DISCOM', { body: { to: 'FINAL' } });
  assert.deepEqual([bearer.statusCode, bearer.json().code], [401, 'IES_ERR_AUTH_MISSING']);
  // A key of the tenant without standing (an aggregator's) is refused.
  const agg = await signed(url, 'A-AGG', A, { to: 'FINAL' });
  assert.deepEqual([agg.statusCode, agg.json().code], [403, 'IES_ERR_STATEMENT_ROLE_FORBIDDEN']);
  assert.equal((await signed(url, 'A-DISCOM', A, { to: 'COMPUTED' })).statusCode, 400);
  const jti = `stmt-final-${Date.now()}`;
  const fin = await signed(url, 'A-DISCOM', A, { to: 'FINAL', reason: 'released' }, jti);
  assert.deepEqual([fin.statusCode, fin.json().status], [200, 'FINAL']);
  // The same signed request again is answered from the ledger, never applied twice.
  const replay = await signed(url, 'A-DISCOM', A, { to: 'FINAL', reason: 'released' }, jti);
  assert.deepEqual([replay.statusCode, replay.headers['idempotent-replayed']], [200, 'true']);
  const disputed = await signed(url, 'A-DISCOM', A, { to: 'DISPUTED', reason: 'meter S-1 contested' });
  assert.equal(disputed.json().status, 'DISPUTED');
  const history = await call('GET', `/v1/statements/${encodeURIComponent(statementId)}/history`, 'A-DISCOM');
  assert.equal(history.statusCode, 200, history.body);
  const decided = (history.json().history as Json[]).filter((c) => c.signed !== undefined);
  assert.deepEqual(decided.map((c) => [c.status, c.by, c.reason]), [['FINAL', 'A-DISCOM', 'released'], ['DISPUTED', 'A-DISCOM', 'meter S-1 contested']]);
  // Each kept signature verifies over the kept body with the desk's public key alone.
  for (const c of decided) {
    const sig = c.signed as { jws: string; body: string; kid: string };
    const body = Buffer.from(sig.body, 'base64url');
    const header = await verifyDetached(body, sig.jws, (kid) => (kid === keys['A-DISCOM']!.kid ? keys['A-DISCOM']!.publicJwk : undefined));
    assert.deepEqual([header.kid, header.htu, JSON.parse(body.toString()).to], [sig.kid, url, c.status]);
  }
});

test('a revision and its diff: GET …/diff?against= lists the changed lines with their reason, and `ies statements diff` prints them', async () => {
  await reviseFinal();
  const r1 = await rerun();
  assert.notEqual(r1.statementId, statementId);
  const url = `/v1/statements/${encodeURIComponent(r1.statementId)}/diff?against=${encodeURIComponent(statementId)}`;
  const diff = await call('GET', url, 'A-DISCOM');
  assert.equal(diff.statusCode, 200, diff.body);
  const d = diff.json();
  assert.deepEqual([d.from.id, d.to.id], [statementId, r1.statementId]);
  // First hour: energy and charges on 3000 → 4000 Wh, the seller's 1000 Wh shortfall (800 paise) gone.
  assert.deepEqual((d.lines as Json[]).map((l) => [l.change, l.reason, l.kind, l.meterId, (l.before as Json | null)?.quantityWh ?? null, (l.after as Json | null)?.quantityWh ?? null]), [
    ['CHANGED', 'REVISED_READ', 'P2P_ENERGY', 'B-1', 3000, 4000],
    ['CHANGED', 'REVISED_READ', 'P2P_ENERGY', 'S-1', 3000, 4000],
    ['REMOVED', 'REVISED_READ', 'SELLER_SHORTFALL', 'S-1', 1000, null],
    ['CHANGED', 'REVISED_READ', 'TRANSACTION_CHARGE', 'B-1', 3000, 4000],
    ['CHANGED', 'REVISED_READ', 'TRANSACTION_CHARGE', 'S-1', 3000, 4000],
    ['CHANGED', 'REVISED_READ', 'WHEELING', 'B-1', 3000, 4000],
    ['CHANGED', 'REVISED_READ', 'WHEELING', 'S-1', 3000, 4000],
  ]);
  const other = await call('GET', url, 'B-DISCOM');
  assert.deepEqual([other.statusCode, other.json().code], [404, 'IES_ERR_STATEMENT_NOT_FOUND']);
  const address = await h.app.listen({ host: '127.0.0.1', port: 0 });
  const printed = await ies(['statements', 'diff', statementId, r1.statementId, '--url', address, '--token', await token('A-DISCOM')]);
  assert.equal(printed.code, 0, printed.out);
  assert.match(printed.out, /REMOVED\s+REVISED_READ\s+SELLER_SHORTFALL/);
});

test('ies statements pull writes JSON, CSV and JWS and verifies them; ies verify statement accepts the JWS', async () => {
  const address = `http://127.0.0.1:${(h.app.server.address() as { port: number }).port}`;
  const out = mkdtempSync(path.join(tmpdir(), 'ies-pull-'));
  const name = statementId.replace(/[^A-Za-z0-9._-]+/g, '_');
  const pulled = await ies(['statements', 'pull', '--day', DAY, '--out', out, '--url', address, '--token', await token('A-DISCOM')]);
  const verified = await ies(['verify', 'statement', path.join(out, `${name}.jws`), '--jwks', path.join(out, 'jwks.json')]);
  const misuse = await ies(['verify', 'statement', path.join(out, `${name}.jws`), '--jwks', path.join(out, 'notary.vkey')]);
  assert.equal(pulled.code, 0, pulled.out);
  assert.match(pulled.out, /^VERIFIED /m);
  assert.equal(verified.code, 0, verified.out);
  assert.equal(misuse.code, 2, misuse.out);
  for (const ext of ['json', 'csv', 'jws']) assert.ok(existsSync(path.join(out, `${name}.${ext}`)), ext);
  assert.equal(readFileSync(path.join(out, `${name}.json`), 'utf8'), json);
});
