// The settlement desk loses nothing when Redis loses a DISCOM's desk state: a dispute raised
// (the statement goes DISPUTED, signed by the raiser's write), decided in part by the desk
// (signed), then the tenant's statement and dispute keys are wiped (only this tenant's keys,
// never FLUSHALL: the stack is shared) and the settlement service restarted. The statements
// come back from ClickHouse statement_history (with the signed history), the dispute and its
// decisions from disputes.v1, and the next run carries the decided adjustment exactly once;
// after a second loss R1 still re-runs to its very bytes (the dispute is APPLIED in it).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { createClickHouse } from '@ies/clickhouse';
import { generateSigningKey, type KeyPair } from '@ies/crypto';
import { createLogger } from '@ies/observability';
import { provisionTenants } from '@ies/kafka';
import { nullStream, stackConfig, uniqueTenant } from '@ies/testing';
import { istDayOf } from '@ies/units';
import { statementJsonOfJws, type StatementContent } from '@ies/verify';
import type { PolicyPack } from '../../src/domain/policy-pack.js';
import { DisputeStore } from '../../src/dispute-store.js';
import { decideDispute, raiseDispute, type DisputeDeps } from '../../src/disputes.js';
import { deskStoreMarker } from '../../src/desk-store-rebuild.js';
import { startSettlementService } from '../../src/index.js';
import { runCalendarStatement, type CalendarRunDeps } from '../../src/statement-calendar-run.js';
import { connect, deskDeps, finalOf, loseDeskState, newEnv, policyFor, signedDeskWrite, tradeOn } from './support.js';

const DAY_MS = 86_400_000;
const T = uniqueTenant('DK');
const database = `it_desk_${randomBytes(4).toString('hex')}`;
const DAY = istDayOf(Date.now() - 2 * DAY_MS);
const statementEnv = newEnv(T, database);
const env = { IES_TENANTS: T, IES_CLICKHOUSE_DATABASE: database, IES_SETTLEMENT_KEYS_DIR: statementEnv.keysDir, IES_SETTLEMENT_STATEMENT_GRACE_MS: String(20 * DAY_MS), IES_LOG_LEVEL: 'silent' };
const PACK: PolicyPack = {
  ...policyFor(T),
  calendar: { allowEarlyRuns: true, runs: [{ name: 'INITIAL', cutoffMinutesAfterDayEnd: 10 * 1440, missingData: 'ZERO_PENDING' }, { name: 'R1', cutoffMinutesAfterDayEnd: 20 * 1440, missingData: 'ZERO_PENDING' }] },
  disputes: { materialityPaise: 100, types: { CHARGE: { deadlineMinutesAfterCutoff: 30 * 1440 } } },
};
const ch = createClickHouse(stackConfig(env));
const start = () => startSettlementService({ ...process.env, ...env }, { sweepOnStart: false, logger: createLogger({ name: 'it', level: 'silent' }, nullStream()) });
let service: Awaited<ReturnType<typeof start>>;
let s: Awaited<ReturnType<typeof connect>>;
let deps: CalendarRunDeps;
let disputeDeps: DisputeDeps;
let desk: KeyPair;
const trade = tradeOn(T, DAY, `DK-${randomBytes(3).toString('hex')}`, 1);
const DESK = { discomId: T, participantId: 'T-DESK', role: 'DISCOM' };

const signedWrite = (body: unknown, htu: string) => signedDeskWrite(desk, T, body, htu);
const loseDesk = () => loseDeskState(s.redis, T);

async function snapshot(disputeId: string) {
  const ids = (await s.store.listDay(T, DAY)).map((x) => x.statementId);
  const out: Record<string, unknown> = { list: await s.store.listDay(T, DAY), latest: (await s.store.latest(T, { kind: 'DAY', day: DAY }))?.stored.statementId };
  for (const id of ids) out[id] = { stored: await s.store.get(T, id), history: await s.store.history(T, id) };
  const disputes = new DisputeStore(s.redis);
  out.dispute = await disputes.get(T, disputeId);
  out.disputeHistory = await disputes.history(T, disputeId);
  out.ofDay = (await disputes.ofDay(T, DAY)).map((d) => d.disputeId);
  return out;
}

before(async () => {
  await provisionTenants(stackConfig(env, 'admin'), [T], createLogger({ name: 'it', level: 'silent' }, nullStream()));
  service = await start();
  s = await connect(statementEnv);
  desk = await generateSigningKey('EdDSA');
  ({ runs: deps, disputes: disputeDeps } = deskDeps(s, T, PACK));
  await s.p2p.confirm(T, trade, 'PLAT-IT', Date.now());
  // The seller delivered 3000 Wh of 4000: energy 3000 Wh at ₹6.00/kWh = 1800 paise each way.
  await s.p2p.saveFinal(T, { discomId: T, version: 1, final: finalOf(T, trade, 3000), sellerJws: '', buyerJws: '', at: Date.now() - 1 });
});

after(async () => {
  await service?.stop();
  await s?.close();
  await ch.command({ query: `DROP DATABASE IF EXISTS ${database}` });
  await ch.close();
});

test('disputes, their signed decisions and the statements\' signed history come back after Redis loses them; the adjustment is applied exactly once', async () => {
  const initial = await runCalendarStatement(deps, T, DAY, 'INITIAL');
  const start0 = trade.intervals[0]!.startMs;
  const energy = (meterId: string, amountPaise: number) => ({
    kind: 'P2P_ENERGY', reference: trade.tradeId, intervalStartMs: start0, meterId,
    payer: meterId === 'B-1' ? 'meter:B-1' : `discom:${T}`, payee: meterId === 'B-1' ? `discom:${T}` : 'meter:S-1', claimed: { amountPaise },
  });
  // The desk claims the energy was priced at ₹8.00/kWh: 2400 paise each way (+600 each).
  const raise = await signedWrite({ schema: 'ies.settlement.dispute/v1', statementId: initial.statementId, type: 'CHARGE', reason: 'price misapplied', lines: [energy('B-1', 2400), energy('S-1', 2400)], evidence: [] }, '/v1/disputes');
  const raised = await raiseDispute(disputeDeps, DESK, raise.bytes, raise.signed);
  assert.deepEqual(raised.adjustments, [{ counterparty: 'meter:B-1', amountPaise: 600 }, { counterparty: 'meter:S-1', amountPaise: -600 }]);
  // Raising contests the statement: DISPUTED, the raiser's signed document kept as the signed write.
  const disputedHistory = await s.store.history(T, initial.statementId);
  assert.deepEqual(disputedHistory.map((h) => [h.status, h.by]), [['COMPUTED', 'settlement-worker'], ['DISPUTED', 'T-DESK']]);
  assert.equal(disputedHistory[1]!.signed?.jws, raise.signed.jws);

  const decide = async (status: 'UNDER_REVIEW' | 'UPHELD', decided?: { amountPaise: number }[]) => {
    const w = await signedWrite({ status, ...(decided ? { decided } : {}) }, `/v1/disputes/${raised.disputeId}/decisions`);
    return decideDispute(disputeDeps, DESK, T, raised.disputeId, status, null, w.signed, decided);
  };
  await decide('UNDER_REVIEW');
  // Upheld in part: 2100 paise each way (₹7.00/kWh), so ±300 rather than the ±600 claimed.
  const upheld = await decide('UPHELD', [{ amountPaise: 2100 }, { amountPaise: 2100 }]);
  assert.deepEqual([upheld.status, upheld.adjustments], ['UPHELD', [{ counterparty: 'meter:B-1', amountPaise: 300 }, { counterparty: 'meter:S-1', amountPaise: -300 }]]);

  await service.stop();
  const before1 = await snapshot(raised.disputeId);
  assert.ok((await loseDesk()) >= 5, 'keys were lost');
  assert.equal(await s.store.get(T, initial.statementId), undefined, 'the state is gone');
  service = await start();
  const after1 = await snapshot(raised.disputeId);
  assert.deepEqual(after1, before1, 'statements, their signed history, the dispute and its signed decisions as before');
  assert.equal(await s.redis.exists(deskStoreMarker(T)), 1);
  assert.equal((await service.desk.rebuild(T)).restored, 0, 'a rebuild over a whole store writes nothing');

  // R1 carries the decided adjustment once (one line per counterparty, 300 paise), and the dispute is APPLIED.
  const r1 = await runCalendarStatement(deps, T, DAY, 'R1');
  const c1 = JSON.parse(statementJsonOfJws((await s.store.get(T, r1.statementId))!.jws)) as StatementContent;
  assert.deepEqual(c1.lines.filter((l) => l.kind === 'ADJUSTMENT').map((l) => [l.reference, l.payer, l.payee, l.amountPaise]), [
    [raised.disputeId, 'meter:B-1', `discom:${T}`, 300],
    [raised.disputeId, `discom:${T}`, 'meter:S-1', 300],
  ]);
  assert.deepEqual((await s.store.history(T, initial.statementId)).map((h) => h.status), ['COMPUTED', 'DISPUTED', 'SUPERSEDED']);
  assert.equal((await deps.disputes!.get(T, raised.disputeId))?.status, 'APPLIED');

  // Lost again after R1: R1, the APPLIED dispute and INITIAL's history come back; R1 re-runs to its bytes.
  await service.stop();
  const before2 = await snapshot(raised.disputeId);
  await loseDesk();
  service = await start();
  assert.deepEqual(await snapshot(raised.disputeId), before2);
  const again = await runCalendarStatement(deps, T, DAY, 'R1');
  assert.deepEqual([again.outcome, again.sha256], ['UNCHANGED', r1.sha256]);
});

test('a caller of another tenant gets exactly the answer a statement that does not exist gets', async () => {
  const r1 = `${T}:${DAY}:R1`;
  const line = { kind: 'P2P_ENERGY', reference: trade.tradeId, intervalStartMs: trade.intervals[0]!.startMs, meterId: 'B-1', payer: 'meter:B-1', payee: `discom:${T}`, claimed: { amountPaise: 9999 } };
  const answer = async (signer: typeof DESK, statementId: string) => {
    const w = await signedWrite({ schema: 'ies.settlement.dispute/v1', statementId, type: 'CHARGE', reason: 'probe', lines: [line], evidence: [] }, '/v1/disputes');
    return raiseDispute(disputeDeps, signer, w.bytes, w.signed).then(() => 'raised', (e: { code: string; status: number; message: string }) => [e.code, e.status, e.message.replace(statementId, 'ID')]);
  };
  const missing = [`IES_ERR_DISPUTE_INVALID`, 422, 'no statement ID on this node'];
  assert.deepEqual(await answer(DESK, `${T}:${DAY}:R9`), missing, 'a statement that does not exist');
  for (const foreign of [{ discomId: 'OTHER-DL', participantId: 'O-DESK', role: 'DISCOM' }, { discomId: 'OTHER-DL', participantId: 'O-PLAT', role: 'PLATFORM' }, { discomId: 'OTHER-DL', participantId: 'O-AGG', role: 'AGGREGATOR' }]) {
    assert.deepEqual(await answer(foreign, r1), missing, `${foreign.role} of another tenant on an existing statement`);
    assert.deepEqual(await answer(foreign, `${T}:${DAY}:R9`), missing);
  }
  // The tenant's own aggregator (no standing on a trade's line) is told why: it is of this tenant.
  assert.deepEqual((await answer({ discomId: T, participantId: 'T-AGG', role: 'AGGREGATOR' }, r1) as unknown[]).slice(0, 2), ['IES_ERR_DISPUTE_NO_STANDING', 403]);
});
