// Calendar runs through the node's statement routes: a tenant whose policy pack has a
// settlement calendar (early runs allowed, cut-offs D+10 and D+20) asks for runs by name;
// a run that is not due or not in the calendar is refused with its code; INITIAL is settled
// with a read missing (ZERO_PENDING), R1 after it arrived; the diff route shows the change as
// LATE_READ; R1 is released by a signed FINAL of the DISCOM's key, refused for another key.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Queue } from 'bullmq';
import { SignJWT } from 'jose';
import { createClickHouse } from '@ies/clickhouse';
import { settlementStatementQueue } from '@ies/contracts';
import { generateSigningKey, signDetached, type KeyPair } from '@ies/crypto';
import { DrEventStore } from '@ies/dr/events';
import { migrateSettlementTables } from '@ies/settlement/migrations';
import { createRedis } from '@ies/redis';
import { stackConfig, uniqueTenant } from '@ies/testing';
import { P2pStore, SettlementKeys, StatementSinks, StatementStore, drSourceOf, finalsAtCutoff, runCalendarStatement, type CalendarRunDeps, type FinalAllocation, type NormalisedTrade, type PolicyPack } from '@ies/settlement/testing';
import { istDayOf, istDayStart } from '@ies/units';
import { startHarness, type Json } from './harness.js';

const H = 3_600_000;
const T = uniqueTenant('CAL');
const DAY = istDayOf(Date.now() - 86_400_000);
const PACK: PolicyPack = {
  policyId: `${T}.it`, discomId: T, version: 1, effectiveFrom: '2026-01-01',
  p2p: { wheeling: { buyerPaisePerKwh: 0, sellerPaisePerKwh: 0 }, transactionCharge: { buyerPaisePerKwh: 20, sellerPaisePerKwh: 20 }, sellerShortfall: { treatment: 'FIXED_RATE', ratePaisePerKwh: 800 }, buyerShortfall: { treatment: 'WAIVED' } },
  calendar: { allowEarlyRuns: true, runs: [{ name: 'INITIAL', cutoffMinutesAfterDayEnd: 10 * 1440, missingData: 'ZERO_PENDING' }, { name: 'R1', cutoffMinutesAfterDayEnd: 20 * 1440, missingData: 'ZERO_PENDING' }] },
};
const policiesDir = mkdtempSync(path.join(tmpdir(), 'ies-cal-policies-'));
writeFileSync(path.join(policiesDir, `${T}.v1.json`), JSON.stringify(PACK));
let h: Awaited<ReturnType<typeof startHarness>>;
const keys: Record<string, KeyPair> = {};
const redis = createRedis(stackConfig());
const ch = createClickHouse(stackConfig());
const p2p = new P2pStore(redis);
let deps: CalendarRunDeps;

const start = istDayStart(DAY)! + 10 * H;
const trade: NormalisedTrade = {
  tradeId: `cal-${T}/c`, transactionId: `cal-${T}`, commitmentId: 'c', contractId: null,
  seller: { meterId: 'S-1', discomId: T, platformId: 'p' }, buyer: { meterId: 'B-1', discomId: T, platformId: 'p' },
  intervals: [{ startMs: start, endMs: start + H, quantityWh: 4000, pricePaisePerKwh: 600 }],
  intent: 'CONFIRM', source: { action: 'confirm', messageId: null, timestamp: null },
};
const finalOf = (sellerWh: number, status: FinalAllocation['status']): FinalAllocation => ({
  tradeId: trade.tradeId, sellerDiscomId: T, buyerDiscomId: T, sellerVersion: 1, buyerVersion: 1, sellerStatus: status, buyerStatus: 'COMPLETED', status,
  intervals: [{ startMs: start, endMs: start + H, contractedWh: 4000, sellerWh, buyerWh: 4000, finalWh: sellerWh, sellerShortfallWh: 4000 - sellerWh, buyerShortfallWh: 0, deviationWh: 4000 - sellerWh }],
  evidence: [],
});

before(async () => {
  h = await startHarness(1, { IES_SETTLEMENT_POLICIES_DIR: policiesDir }, { tenants: [T] });
  for (const id of ['T-DESK', 'T-AGG']) keys[id] = await generateSigningKey('EdDSA');
  const doc = `discom: ${T}\nparticipants:\n${[['T-DESK', 'DISCOM'], ['T-AGG', 'AGGREGATOR']].map(([id, role]) => `  - id: ${id}\n    role: ${role}\n    name: ${id}\n    keys:\n      - ${JSON.stringify(keys[id!]!.publicJwk)}`).join('\n')}\n`;
  assert.equal((await h.applyRegistry(doc)).statusCode, 200);
  await migrateSettlementTables(h.config);
  await p2p.confirm(T, trade, 'it', Date.now()).catch(() => undefined);
  const settlementKeys = new SettlementKeys(redis, mkdtempSync(path.join(tmpdir(), 'ies-cal-keys-')));
  await settlementKeys.publish(T);
  deps = {
    p2p, dr: drSourceOf(new DrEventStore(redis, h.deps.producer, h.serde), ch), policies: [PACK], store: new StatementStore(redis),
    sinks: new StatementSinks({ producer: h.deps.producer, serde: h.serde, ch }), now: Date.now,
    signer: async (d: string) => {
      const { privateKeys, jwks } = await settlementKeys.keyFile(d).current();
      return { kid: jwks[0]!.kid as string, privateKey: privateKeys[0]! };
    },
    finalsAt: (d, ids, cutoffMs) => finalsAtCutoff(ch, (id) => p2p.getFinalRecord(d, id), d, ids, cutoffMs),
  };
});

after(async () => {
  const q = new Queue(settlementStatementQueue(T), { connection: redis });
  for (const run of ['INITIAL', 'R1']) await q.remove(`stmt.${T}.day.${DAY}.${run}`);
  await q.close();
  await h.close();
  redis.disconnect();
  await ch.close();
});

async function call(method: 'GET' | 'POST', url: string, body?: Json) {
  const k = keys['T-DESK']!;
  const token = await new SignJWT({}).setProtectedHeader({ alg: k.alg, kid: k.kid }).setIssuer('T-DESK').setAudience(h.config.nodeId).setIssuedAt().setExpirationTime('2m').sign(k.privateKey);
  return h.app.inject({ method, url, headers: { authorization: `Bearer ${token}` }, ...(body ? { payload: body } : {}) });
}

async function signed(url: string, as: string, body: Json) {
  const bytes = Buffer.from(JSON.stringify(body));
  const signature = await signDetached(bytes, keys[as]!, { iat: Math.floor(Date.now() / 1000), jti: `cal-${as}-${Date.now()}-${Math.random().toString(36).slice(2)}`, htm: 'POST', htu: url, tenant: T });
  return h.app.inject({ method: 'POST', url, headers: { 'content-type': 'application/json', 'x-ies-signature': signature }, payload: bytes });
}

test('runs are asked for by name: refused when not due or not in the calendar, queued with their cut-off when allowed early', async () => {
  const notDue = await call('POST', '/v1/statements/runs', { day: DAY });
  assert.deepEqual([notDue.statusCode, notDue.json().code], [409, 'IES_ERR_STATEMENT_RUN_NOT_DUE'], notDue.body);
  const unknown = await call('POST', '/v1/statements/runs', { day: DAY, run: 'R9' });
  assert.deepEqual([unknown.statusCode, unknown.json().code], [422, 'IES_ERR_STATEMENT_RUN_UNKNOWN']);
  assert.equal((await call('POST', '/v1/statements/runs', { eventId: 'x', run: 'INITIAL' })).statusCode, 400);
  const queued = await call('POST', '/v1/statements/runs', { day: DAY, run: 'INITIAL' });
  assert.equal(queued.statusCode, 202, queued.body);
  const q = queued.json();
  assert.deepEqual([q.jobId, q.run, q.statementId, q.early], [`stmt.${T}.day.${DAY}.INITIAL`, 'INITIAL', `${T}:${DAY}:INITIAL`, true]);
  assert.ok(Date.parse(q.cutoff as string) <= Date.now());
});

test('INITIAL with a read missing, R1 after it arrived: listed with their runs, the diff route shows the change as LATE_READ, R1 released by a signed FINAL', async () => {
  await p2p.saveFinal(T, { discomId: T, version: 1, final: finalOf(3000, 'INCOMPLETE'), sellerJws: '', buyerJws: '', at: Date.now() - 1 });
  const initial = await runCalendarStatement(deps, T, DAY, 'INITIAL');
  await p2p.saveFinal(T, { discomId: T, version: 2, final: finalOf(4000, 'COMPLETED'), sellerJws: '', buyerJws: '', at: Date.now() });
  const r1 = await runCalendarStatement(deps, T, DAY, 'R1');
  assert.equal(r1.supersededId, initial.statementId);
  // INITIAL is issued: asking for it again names the issued run (the worker would re-run it to the same bytes).
  const again = await call('POST', '/v1/statements/runs', { day: DAY, run: 'INITIAL' });
  assert.deepEqual([again.statusCode, again.json().cutoff], [202, new Date(initial.run.cutoffMs).toISOString()]);

  const listed = (await call('GET', `/v1/statements?day=${DAY}`)).json().statements as Json[];
  assert.deepEqual(listed.map((s) => [s.statementId, s.status, s.run, s.complete]), [[r1.statementId, 'COMPUTED', 'R1', true], [initial.statementId, 'SUPERSEDED', 'INITIAL', false]]);

  const diff = await call('GET', `/v1/statements/${encodeURIComponent(r1.statementId)}/diff?against=${encodeURIComponent(initial.statementId)}`);
  assert.equal(diff.statusCode, 200, diff.body);
  const d = diff.json();
  assert.deepEqual([d.from, d.to], [{ id: initial.statementId, run: 'INITIAL' }, { id: r1.statementId, run: 'R1' }]);
  // 3000 → 4000 Wh at ₹6.00 and 20 paise/kWh; the 1000 Wh shortfall held at rate 0 in INITIAL is gone.
  assert.deepEqual((d.lines as Json[]).map((l) => [l.change, l.reason, l.kind, l.meterId, (l.before as Json | null)?.amountPaise ?? null, (l.after as Json | null)?.amountPaise ?? null]), [
    ['CHANGED', 'LATE_READ', 'P2P_ENERGY', 'B-1', 1800, 2400],
    ['CHANGED', 'LATE_READ', 'P2P_ENERGY', 'S-1', 1800, 2400],
    ['REMOVED', 'LATE_READ', 'SELLER_SHORTFALL', 'S-1', 0, null],
    ['CHANGED', 'LATE_READ', 'TRANSACTION_CHARGE', 'B-1', 60, 80],
    ['CHANGED', 'LATE_READ', 'TRANSACTION_CHARGE', 'S-1', 60, 80],
  ]);
  assert.deepEqual(d.pending, { resolved: [trade.tradeId], opened: [] });

  const url = `/v1/statements/${encodeURIComponent(r1.statementId)}/transitions`;
  const refused = await signed(url, 'T-AGG', { to: 'FINAL' });
  assert.deepEqual([refused.statusCode, refused.json().code], [403, 'IES_ERR_STATEMENT_ROLE_FORBIDDEN']);
  const released = await signed(url, 'T-DESK', { to: 'FINAL', reason: 'R1 released' });
  assert.deepEqual([released.statusCode, released.json().status, released.json().run], [200, 'FINAL', 'R1']);
});
