// Disputes through the node's routes, on the real stack with a real notary: reads of the
// trade's meters are submitted by a head-end, notarised, and their read proofs fetched from
// GET /v1/reads/proof. INITIAL settled the seller at 3000 Wh of 4000 (its allocation); the
// seller's platform disputes it with a read proof, the desk upholds it (signed decisions),
// R1 carries the adjustment citing the dispute (the diff says DISPUTE) and re-runs to the same
// bytes. Refused: a forged proof, an unrelated read, an immaterial claim, a late dispute, a
// raiser and a decider without standing. After FINAL, a post-final run needs an upheld
// dispute: the desk's NO_READ dispute (a read the node never received) makes PF1.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Queue } from 'bullmq';
import { SignJWT } from 'jose';
import { createClickHouse } from '@ies/clickhouse';
import { TOPICS, settlementStatementQueue, topicName } from '@ies/contracts';
import { generateSigningKey, signDetached, type KeyPair } from '@ies/crypto';
import { DrEventStore } from '@ies/dr/events';
import { startLoaderService } from '@ies/loader';
import { startNotaryService } from '@ies/notary';
import { createLogger } from '@ies/observability';
import { migrateSettlementTables } from '@ies/settlement/migrations';
import { createRedis } from '@ies/redis';
import { eventually, nullStream, stackConfig, uniqueTenant } from '@ies/testing';
import { DisputeStore, P2pStore, SettlementKeys, StatementSinks, StatementStore, drSourceOf, finalsAtCutoff, runCalendarStatement, type CalendarRunDeps, type FinalAllocation, type NormalisedTrade, type PolicyPack } from '@ies/settlement/testing';
import { istDayOf, istDayStart } from '@ies/units';
import { CSV_HEADER, istBlocks, registryYaml, startHarness, type Json } from './harness.js';

const H = 3_600_000;
const T = uniqueTenant('DSP');
const DAY = istDayOf(Date.now() - 86_400_000);
const PACK: PolicyPack = {
  policyId: `${T}.it`, discomId: T, version: 1, effectiveFrom: '2026-01-01',
  p2p: { wheeling: { buyerPaisePerKwh: 0, sellerPaisePerKwh: 0 }, transactionCharge: { buyerPaisePerKwh: 20, sellerPaisePerKwh: 20 }, sellerShortfall: { treatment: 'FIXED_RATE', ratePaisePerKwh: 800 }, buyerShortfall: { treatment: 'WAIVED' } },
  calendar: { allowEarlyRuns: true, runs: [{ name: 'INITIAL', cutoffMinutesAfterDayEnd: 10 * 1440, missingData: 'ZERO_PENDING' }, { name: 'R1', cutoffMinutesAfterDayEnd: 20 * 1440, missingData: 'ZERO_PENDING' }, { name: 'FINAL', cutoffMinutesAfterDayEnd: 25 * 1440, missingData: 'ZERO_PENDING' }] },
  // CHARGE disputes are due at the cut-off itself: any CHARGE dispute raised after a run is late.
  disputes: { materialityPaise: 100, types: { READ_VALUE: { deadlineMinutesAfterCutoff: 30 * 1440 }, NO_READ: { deadlineMinutesAfterCutoff: 30 * 1440 }, CHARGE: { deadlineMinutesAfterCutoff: 0 } } },
};
const policiesDir = mkdtempSync(path.join(tmpdir(), 'ies-dsp-policies-'));
writeFileSync(path.join(policiesDir, `${T}.v1.json`), JSON.stringify(PACK));
let h: Awaited<ReturnType<typeof startHarness>>;
let notary: Awaited<ReturnType<typeof startNotaryService>>;
let loader: Awaited<ReturnType<typeof startLoaderService>>;
const keys: Record<string, KeyPair> = {};
const redis = createRedis(stackConfig());
const ch = createClickHouse(stackConfig());
const p2p = new P2pStore(redis);
let deps: CalendarRunDeps;

const blocks = istBlocks(44);
const start = istDayStart(DAY)! + 10 * H;
const trade: NormalisedTrade = {
  tradeId: `dsp-${T}/c`, transactionId: `dsp-${T}`, commitmentId: 'c', contractId: null,
  seller: { meterId: 'S-1', discomId: T, platformId: 'T-PLAT' }, buyer: { meterId: 'B-1', discomId: T, platformId: 'T-PLAT' },
  intervals: [{ startMs: start, endMs: start + H, quantityWh: 4000, pricePaisePerKwh: 600 }],
  intent: 'CONFIRM', source: { action: 'confirm', messageId: null, timestamp: null },
};
// The allocation the runs settle on: the seller at 3000 Wh (what the platform contests).
const FINAL_ALLOC: FinalAllocation = {
  tradeId: trade.tradeId, sellerDiscomId: T, buyerDiscomId: T, sellerVersion: 1, buyerVersion: 1, sellerStatus: 'COMPLETED', buyerStatus: 'COMPLETED', status: 'COMPLETED',
  intervals: [{ startMs: start, endMs: start + H, contractedWh: 4000, sellerWh: 3000, buyerWh: 4000, finalWh: 3000, sellerShortfallWh: 1000, buyerShortfallWh: 0, deviationWh: 1000 }],
  evidence: [],
};
let initialId = '';
let sellerProof: Json;
let unrelatedProof: Json;
let disputeId = '';

before(async () => {
  h = await startHarness(1, { IES_SETTLEMENT_POLICIES_DIR: policiesDir }, { tenants: [T] });
  const headEnd = await generateSigningKey('EdDSA');
  for (const id of ['T-DESK', 'T-AGG', 'T-PLAT']) keys[id] = await generateSigningKey('EdDSA');
  assert.equal((await h.applyRegistry(registryYaml(T, { id: 'HES-1', keys: [headEnd] }, [{ id: 'S-1', der: 10_000 }, { id: 'B-1' }]))).statusCode, 200);
  const doc = `discom: ${T}\nparticipants:\n${[['T-DESK', 'DISCOM'], ['T-AGG', 'AGGREGATOR'], ['T-PLAT', 'PLATFORM']].map(([id, role]) => `  - id: ${id}\n    role: ${role}\n    name: ${id}\n    keys:\n      - ${JSON.stringify(keys[id!]!.publicJwk)}`).join('\n')}\n`;
  assert.equal((await h.applyRegistry(doc)).statusCode, 200);
  const env = { ...process.env, IES_TENANTS: T, IES_NOTARY_KEYS_DIR: mkdtempSync(path.join(tmpdir(), 'ies-dsp-notary-')), IES_OPERATOR_JWKS_FILE: h.config.auth.operatorJwksFile, IES_LOG_LEVEL: 'warn' };
  notary = await startNotaryService(env, { onFatal: (err) => assert.fail(err), logger: createLogger({ name: 'it', level: 'silent' }, nullStream()) });
  loader = await startLoaderService(env);
  await migrateSettlementTables(h.config);
  await p2p.confirm(T, trade, 'T-PLAT', Date.now());
  const settlementKeys = new SettlementKeys(redis, mkdtempSync(path.join(tmpdir(), 'ies-dsp-keys-')));
  await settlementKeys.publish(T);
  deps = {
    p2p, dr: drSourceOf(new DrEventStore(redis, h.deps.producer, h.serde), ch), policies: [PACK], store: new StatementStore(redis),
    sinks: new StatementSinks({ producer: h.deps.producer, serde: h.serde, ch }), now: Date.now,
    disputes: new DisputeStore(redis, { producer: h.deps.producer, serde: h.serde }),
    signer: async (d: string) => {
      const { privateKeys, jwks } = await settlementKeys.keyFile(d).current();
      return { kid: jwks[0]!.kid as string, privateKey: privateKeys[0]! };
    },
    finalsAt: (d, ids, cutoffMs) => finalsAtCutoff(ch, (id) => p2p.getFinalRecord(d, id), d, ids, cutoffMs),
  };
  // S-1 exported 1000 Wh in each block of 10:00–11:00; B-1 imported 1000 Wh at 10:00–10:30 (no 10:45 read), and 1000 Wh at 00:00.
  const rows = [40, 41, 42, 43].map((b) => `S-1,${blocks[b]},0,1000,VALID`).concat([40, 41, 42].map((b) => `B-1,${blocks[b]},1000,0,VALID`), `B-1,${blocks[0]},1000,0,VALID`);
  const { res } = await h.submit(`${CSV_HEADER}\n${rows.join('\n')}\n`, headEnd);
  assert.equal(res.statusCode, 202, res.body);
  const proof = (meter: string, block: number, channel: string) => eventually(async () => {
    const r = await call('GET', `/v1/reads/proof?meterId=${meter}&blockStart=${encodeURIComponent(blocks[block]!)}&channel=${channel}`);
    return r.statusCode === 200 ? (r.json() as Json) : undefined;
  }, 60_000, `the read proof of ${meter}`);
  sellerProof = await proof('S-1', 41, 'export');
  unrelatedProof = await proof('B-1', 0, 'import');
  await p2p.saveFinal(T, { discomId: T, version: 1, final: FINAL_ALLOC, sellerJws: '', buyerJws: '', at: Date.now() - 1 });
  initialId = (await runCalendarStatement(deps, T, DAY, 'INITIAL')).statementId;
});

after(async () => {
  const q = new Queue(settlementStatementQueue(T), { connection: redis });
  for (const run of ['INITIAL', 'R1', 'FINAL', 'PF1']) await q.remove(`stmt.${T}.day.${DAY}.${run}`);
  await q.close();
  await loader?.stop();
  await notary?.stop();
  await h.close();
  redis.disconnect();
  await ch.close();
});

async function call(method: 'GET' | 'POST', url: string, body?: Json, as = 'T-DESK') {
  const k = keys[as]!;
  const token = await new SignJWT({}).setProtectedHeader({ alg: k.alg, kid: k.kid }).setIssuer(as).setAudience(h.config.nodeId).setIssuedAt().setExpirationTime('2m').sign(k.privateKey);
  return h.app.inject({ method, url, headers: { authorization: `Bearer ${token}` }, ...(body ? { payload: body } : {}) });
}

async function signed(url: string, as: string, body: Json) {
  const bytes = Buffer.from(JSON.stringify(body));
  const signature = await signDetached(bytes, keys[as]!, { iat: Math.floor(Date.now() / 1000), jti: `dsp-${as}-${Date.now()}-${Math.random().toString(36).slice(2)}`, htm: 'POST', htu: url, tenant: T });
  return h.app.inject({ method: 'POST', url, headers: { 'content-type': 'application/json', 'x-ies-signature': signature }, payload: bytes });
}

const energy = (meterId: string, amountPaise: number, quantityWh: number) => ({
  kind: 'P2P_ENERGY', reference: trade.tradeId, intervalStartMs: start, meterId,
  payer: meterId === 'B-1' ? 'meter:B-1' : `discom:${T}`, payee: meterId === 'B-1' ? `discom:${T}` : 'meter:S-1', claimed: { quantityWh, amountPaise },
});
const dispute = (statementId: string, over: Json = {}) => ({
  schema: 'ies.settlement.dispute/v1', statementId, type: 'READ_VALUE', reason: 'S-1 exported 4000 Wh; its reads are proven',
  lines: [energy('B-1', 2400, 4000), energy('S-1', 2400, 4000)], evidence: [{ kind: 'READ_PROOF', proof: sellerProof }], ...over,
});
const codeOf = (r: { statusCode: number; json: () => Json }) => [r.statusCode, r.json().code];

test('refused: a forged proof, an unrelated read, an immaterial claim, a late dispute, a raiser without standing', async () => {
  const forged = structuredClone(sellerProof);
  forged.read.wh = 1200;
  assert.deepEqual(codeOf(await signed('/v1/disputes', 'T-PLAT', dispute(initialId, { evidence: [{ kind: 'READ_PROOF', proof: forged }] }))), [422, 'IES_ERR_DISPUTE_EVIDENCE_INVALID']);
  const unrelated = await signed('/v1/disputes', 'T-PLAT', dispute(initialId, { evidence: [{ kind: 'READ_PROOF', proof: unrelatedProof }] }));
  assert.deepEqual(codeOf(unrelated), [422, 'IES_ERR_DISPUTE_EVIDENCE_INVALID']);
  assert.match(unrelated.json().detail as string, /belongs to none of the disputed lines/);
  // 50 paise more each way: below the 100 paise threshold.
  assert.deepEqual(codeOf(await signed('/v1/disputes', 'T-PLAT', dispute(initialId, { lines: [energy('B-1', 1850, 3083), energy('S-1', 1850, 3083)] }))), [422, 'IES_ERR_DISPUTE_IMMATERIAL']);
  const charge = { kind: 'TRANSACTION_CHARGE', reference: trade.tradeId, intervalStartMs: start, meterId: 'S-1', payer: 'meter:S-1', payee: `discom:${T}`, claimed: { amountPaise: 0 } };
  assert.deepEqual(codeOf(await signed('/v1/disputes', 'T-DESK', dispute(initialId, { type: 'CHARGE', lines: [charge], evidence: [], reason: 'charged twice' }))), [422, 'IES_ERR_DISPUTE_LATE']);
  assert.deepEqual(codeOf(await signed('/v1/disputes', 'T-AGG', dispute(initialId))), [403, 'IES_ERR_DISPUTE_NO_STANDING']);
});

test('raised by the platform with a read proof, decided by the desk only (signed), applied in R1 with the diff reason DISPUTE; R1 reproduces', async () => {
  const raised = await signed('/v1/disputes', 'T-PLAT', dispute(initialId));
  assert.equal(raised.statusCode, 201, raised.body);
  const d = raised.json();
  disputeId = d.disputeId as string;
  assert.deepEqual([d.status, d.statementId, d.adjustments], ['RAISED', initialId, [{ counterparty: 'meter:B-1', amountPaise: 600 }, { counterparty: 'meter:S-1', amountPaise: -600 }]]);
  assert.deepEqual((d.proven.reads as Json[]).map((r) => [r.meterId, r.channel, r.wh]), [['S-1', 'EXPORT', 1000]]);
  // The raiser sees its dispute; so does the desk.
  assert.equal((await call('GET', `/v1/disputes/${disputeId}`, undefined, 'T-PLAT')).statusCode, 200);
  assert.equal((await call('GET', `/v1/disputes/${disputeId}`, undefined, 'T-AGG')).statusCode, 404);
  assert.deepEqual(((await call('GET', `/v1/disputes?day=${DAY}`)).json().disputes as Json[]).map((x) => [x.disputeId, x.status]), [[disputeId, 'RAISED']]);
  assert.equal((await call('GET', `/v1/disputes?day=${DAY}`, undefined, 'T-PLAT')).statusCode, 403);

  const decide = (as: string, status: string) => signed(`/v1/disputes/${disputeId}/decisions`, as, { status, reason: `${status} by ${as}` });
  assert.deepEqual(codeOf(await decide('T-AGG', 'UNDER_REVIEW')), [403, 'IES_ERR_DISPUTE_NO_STANDING']);
  assert.deepEqual(codeOf(await decide('T-PLAT', 'UPHELD')), [403, 'IES_ERR_DISPUTE_NO_STANDING']);
  assert.deepEqual(codeOf(await decide('T-DESK', 'UPHELD')), [409, 'IES_ERR_DISPUTE_TRANSITION']);
  assert.equal((await decide('T-DESK', 'UNDER_REVIEW')).json().status, 'UNDER_REVIEW');
  assert.equal((await decide('T-DESK', 'UPHELD')).json().status, 'UPHELD');

  const r1 = await runCalendarStatement(deps, T, DAY, 'R1');
  assert.deepEqual([r1.outcome, r1.supersededId], ['REVISED', initialId]);
  const shown = (await call('GET', `/v1/disputes/${disputeId}`)).json();
  assert.deepEqual([shown.dispute.status, shown.dispute.appliedIn], ['APPLIED', { statementId: r1.statementId, version: 1 }]);
  const history = shown.history as Json[];
  assert.deepEqual(history.map((c) => [c.status, c.by]), [['RAISED', 'T-PLAT'], ['UNDER_REVIEW', 'T-DESK'], ['UPHELD', 'T-DESK'], ['APPLIED', 'settlement-worker']]);
  assert.ok(history.slice(0, 3).every((c) => typeof c.signed?.jws === 'string' && typeof c.signed?.body === 'string'), 'raise and decisions keep their signed writes');

  const diff = (await call('GET', `/v1/statements/${encodeURIComponent(r1.statementId)}/diff?against=${encodeURIComponent(initialId)}`)).json();
  assert.deepEqual((diff.lines as Json[]).map((l) => [l.change, l.reason, l.kind, l.reference, l.payer, l.payee, l.after.amountPaise]), [
    ['ADDED', 'DISPUTE', 'ADJUSTMENT', disputeId, 'meter:B-1', `discom:${T}`, 600],
    ['ADDED', 'DISPUTE', 'ADJUSTMENT', disputeId, `discom:${T}`, 'meter:S-1', 600],
  ]);
  assert.equal((await runCalendarStatement(deps, T, DAY, 'R1')).outcome, 'UNCHANGED');

  // The desk's reports of R1: contracted 4000, S-1 metered 3000 (its allocation), B-1 4000, allocated 3000, penalty 1000 Wh × 800.
  const report = async (name: string, accept = 'application/json') => {
    const k = keys['T-DESK']!;
    const token = await new SignJWT({}).setProtectedHeader({ alg: k.alg, kid: k.kid }).setIssuer('T-DESK').setAudience(h.config.nodeId).setIssuedAt().setExpirationTime('2m').sign(k.privateKey);
    return h.app.inject({ method: 'GET', url: `/v1/statements/${encodeURIComponent(r1.statementId)}/reports/${name}`, headers: { authorization: `Bearer ${token}`, accept } });
  };
  const rec = (await report('reconciliation')).json();
  assert.deepEqual([rec.report, rec.statementId, rec.run], ['reconciliation', r1.statementId, 'R1']);
  assert.deepEqual((rec.trades as Json[]).map((t) => [t.tradeId, t.counterparty, t.status, t.contractedWh, t.sellerMeteredWh, t.buyerMeteredWh, t.allocatedWh, t.deviationWh, t.energyPaise, t.shortfallPenaltyPaise, t.chargesPaise]), [[trade.tradeId, 'self', 'SETTLED', 4000, 3000, 4000, 3000, 1000, 1800, 800, 120]]);
  const csv = await report('reconciliation', 'text/csv');
  assert.match(csv.headers['content-type'] as string, /^text\/csv/);
  assert.equal(csv.body.split('\r\n')[1], `TRADE,${trade.tradeId},self,BOTH,SETTLED,4000,3000,4000,3000,1000,1800,800,120`);
  assert.deepEqual((await report('pending')).json().items, []);
  assert.deepEqual((await report('positions')).json().discoms, []);
  assert.equal((await report('nonsense')).statusCode, 400);
});

test('after FINAL only a post-final run on an upheld dispute: PF1 refused without one, then made by the desk\'s NO_READ dispute', async () => {
  const final = await runCalendarStatement(deps, T, DAY, 'FINAL');
  assert.equal(final.outcome, 'REVISED');
  // R1 is superseded now: its figures no longer stand.
  assert.deepEqual(codeOf(await signed('/v1/disputes', 'T-PLAT', dispute(`${T}:${DAY}:R1`))), [422, 'IES_ERR_DISPUTE_INVALID']);
  const none = await call('POST', '/v1/statements/runs', { day: DAY, run: 'PF1' });
  assert.equal(none.statusCode, 202, none.body);
  await assert.rejects(runCalendarStatement(deps, T, DAY, 'PF1'), (err: Json) => err.code === 'IES_ERR_STATEMENT_RUN_NO_DISPUTE');
  // B-1 billed 3000 Wh, but the node never received its 10:45 read: the desk claims 2250 Wh.
  const noRead = (block: number) => dispute(final.statementId, {
    type: 'NO_READ', reason: 'B-1 has no 10:45 read', lines: [energy('B-1', 1350, 2250), energy('S-1', 1350, 2250)],
    evidence: [{ kind: 'NO_READ', meterId: 'B-1', blockStart: blocks[block], channel: 'IMPORT' }],
  });
  assert.deepEqual(codeOf(await signed('/v1/disputes', 'T-DESK', noRead(42))), [422, 'IES_ERR_DISPUTE_EVIDENCE_INVALID'], 'B-1 has its 10:30 read');
  const raised = await signed('/v1/disputes', 'T-DESK', noRead(43));
  assert.equal(raised.statusCode, 201, raised.body);
  const second = raised.json().disputeId as string;
  for (const status of ['UNDER_REVIEW', 'UPHELD']) assert.equal((await signed(`/v1/disputes/${second}/decisions`, 'T-DESK', { status })).statusCode, 200);
  const pf1 = await runCalendarStatement(deps, T, DAY, 'PF1');
  assert.deepEqual([pf1.outcome, pf1.statementId, pf1.supersededId, pf1.run.cutoffMs], ['REVISED', `${T}:${DAY}:PF1`, final.statementId, final.run.cutoffMs]);
  const diff = (await call('GET', `/v1/statements/${encodeURIComponent(pf1.statementId)}/diff?against=${encodeURIComponent(final.statementId)}`)).json();
  assert.deepEqual((diff.lines as Json[]).map((l) => [l.change, l.reason, l.reference, l.payer, l.after.amountPaise]), [
    ['ADDED', 'DISPUTE', second, `discom:${T}`, 450],
    ['ADDED', 'DISPUTE', second, 'meter:S-1', 450],
  ]);
  assert.deepEqual(codeOf(await call('POST', '/v1/statements/runs', { day: DAY, run: 'PF3' })), [202, undefined]);
  await assert.rejects(runCalendarStatement(deps, T, DAY, 'PF3'), (err: Json) => err.code === 'IES_ERR_STATEMENT_RUN_NO_DISPUTE');
});

test('a c2sp.org/tlog-proof file and a batch receipt are evidence too; a tlog proof of an altered read is refused', async () => {
  const pf1 = `${T}:${DAY}:PF1`;
  const tlog = await call('GET', `/v1/reads/tlog-proof?meterId=S-1&blockStart=${encodeURIComponent(blocks[42]!)}&channel=export`);
  assert.equal(tlog.statusCode, 200, tlog.body);
  const receipt = sellerProof.receipt as Json;
  const raised = await signed('/v1/disputes', 'T-PLAT', dispute(pf1, { lines: [energy('B-1', 2000, 3333), energy('S-1', 2000, 3333)], evidence: [{ kind: 'TLOG_PROOF', text: tlog.body }, { kind: 'RECEIPT', receipt }] }));
  assert.equal(raised.statusCode, 201, raised.body);
  assert.deepEqual((raised.json().proven.reads as Json[]).map((r) => [r.meterId, r.wh, r.evidence]), [['S-1', 1000, 0]]);
  // The same file with the read's Wh changed in its extension no longer proves anything.
  const lines = tlog.body.split('\n');
  const extra = JSON.parse(Buffer.from(lines[1]!.slice(6), 'base64').toString('utf8')) as Json;
  extra.read.wh = 1500;
  lines[1] = `extra ${Buffer.from(JSON.stringify(extra)).toString('base64')}`;
  assert.deepEqual(codeOf(await signed('/v1/disputes', 'T-PLAT', dispute(pf1, { lines: [energy('B-1', 2100, 3500), energy('S-1', 2100, 3500)], evidence: [{ kind: 'TLOG_PROOF', text: lines.join('\n') }] }))), [422, 'IES_ERR_DISPUTE_EVIDENCE_INVALID']);
});

test('every transition is on disputes.v1, decisions with their signed writes', async () => {
  const consumer = h.kafka.consumer({ groupId: `${T}-it-disputes` });
  const seen: Json[] = [];
  await consumer.connect();
  await consumer.subscribe({ topics: [topicName(T, TOPICS.disputes)], fromBeginning: true });
  await consumer.run({ eachMessage: async ({ message }) => void seen.push(await h.serde.decode<Json>(message.value as Buffer)) });
  await eventually(async () => (seen.filter((r) => r.disputeId === disputeId).length >= 4 ? true : undefined), 30_000, 'the dispute records');
  await consumer.disconnect();
  const mine = seen.filter((r) => r.disputeId === disputeId);
  assert.deepEqual(mine.map((r) => [r.status, r.by, r.signedJws !== null]), [['RAISED', 'T-PLAT', true], ['UNDER_REVIEW', 'T-DESK', true], ['UPHELD', 'T-DESK', true], ['APPLIED', 'settlement-worker', false]]);
  assert.equal(mine[3]!.appliedInStatementId, `${T}:${DAY}:R1`);
});
