// A counterparty DISCOM hosted on the same node disputes lines of another DISCOM's statement
// that name it (its inter-DISCOM position), with its own desk's key: admitted (RAISED, the
// statement DISPUTED), visible to it as the raiser, decided only by the statement DISCOM's
// desk (a rejection, the statement's last open dispute, makes it FINAL). On a line that does not name it, it has no standing, and is told exactly what a caller
// asking about a statement that does not exist is told. (A counterparty on another node, a
// PEER_DISCOM of the tenant: services/gateway/test/integration/peer-discom-dispute.test.ts.)
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { createClickHouse } from '@ies/clickhouse';
import { generateSigningKey, signDetached, type KeyPair } from '@ies/crypto';
import { createLogger } from '@ies/observability';
import { provisionTenants } from '@ies/kafka';
import { nullStream, stackConfig, uniqueTenant } from '@ies/testing';
import { istDayOf } from '@ies/units';
import { statementJsonOfJws, type StatementContent } from '@ies/verify';
import type { PolicyPack } from '../../src/domain/policy-pack.js';
import { DisputeStore, type SignedWrite } from '../../src/dispute-store.js';
import { decideDispute, raiseDispute, readDispute, type DisputeDeps } from '../../src/disputes.js';
import { finalsAtCutoff } from '../../src/finals-at-cutoff.js';
import { runCalendarStatement, type CalendarRunDeps } from '../../src/statement-calendar-run.js';
import { connect, newEnv, policyFor, tradeOn } from './support.js';

const DAY_MS = 86_400_000;
const A = uniqueTenant('CPA');
const B = uniqueTenant('CPB');
const database = `it_cp_${randomBytes(4).toString('hex')}`;
const DAY = istDayOf(Date.now() - 2 * DAY_MS);
const env = newEnv(A, database);
const PACK: PolicyPack = {
  ...policyFor(A),
  calendar: { allowEarlyRuns: true, runs: [{ name: 'INITIAL', cutoffMinutesAfterDayEnd: 10 * 1440, missingData: 'ZERO_PENDING' }] },
  disputes: { materialityPaise: 100, types: { CHARGE: { deadlineMinutesAfterCutoff: 30 * 1440 } } },
};
const base = tradeOn(A, DAY, `CP-${randomBytes(3).toString('hex')}`, 1);
const trade = { ...base, buyer: { meterId: 'BX', discomId: B, platformId: 'buyerapp.example.com' } };
let s: Awaited<ReturnType<typeof connect>>;
let deps: CalendarRunDeps;
let disputeDeps: DisputeDeps;
let key: KeyPair;

async function signed(body: unknown, tenant: string): Promise<{ bytes: Buffer; signed: SignedWrite }> {
  const bytes = Buffer.from(JSON.stringify(body));
  const jws = await signDetached(bytes, key, { iat: Math.floor(Date.now() / 1000), jti: `cp-${randomBytes(6).toString('hex')}`, htm: 'POST', htu: '/v1/disputes', tenant });
  return { bytes, signed: { jws, body: bytes.toString('base64url'), kid: key.kid } };
}

before(async () => {
  s = await connect(env);
  await provisionTenants(stackConfig({ IES_CLICKHOUSE_DATABASE: database }, 'admin'), [B], createLogger({ name: 'it', level: 'silent' }, nullStream()));
  key = await generateSigningKey('EdDSA');
  const disputes = new DisputeStore(s.redis, { producer: s.producer, serde: s.serde });
  deps = { ...s.runDeps, policies: [PACK], disputes, finalsAt: (d, ids, cutoffMs) => finalsAtCutoff(s.ch, (id) => s.p2p.getFinalRecord(d, id), d, ids, cutoffMs) };
  disputeDeps = { disputes, statements: s.store, sinks: s.runDeps.sinks, policies: [PACK], hosted: [A, B], now: Date.now, tradesForDay: (d, day) => s.p2p.tradesForDay(d, day), evidence: { trustOf: async () => undefined, hasRead: async () => false } };
  await s.p2p.confirm(A, trade, 'PLAT-IT', Date.now());
  const iv = trade.intervals[0]!;
  await s.p2p.saveFinal(A, {
    discomId: A, version: 1, sellerJws: '', buyerJws: '', at: Date.now() - 1,
    final: { tradeId: trade.tradeId, sellerDiscomId: A, buyerDiscomId: B, sellerVersion: 1, buyerVersion: 1, sellerStatus: 'COMPLETED', buyerStatus: 'COMPLETED', status: 'COMPLETED', evidence: [], intervals: [{ startMs: iv.startMs, endMs: iv.endMs, contractedWh: 4000, sellerWh: 4000, buyerWh: 4000, finalWh: 4000, sellerShortfallWh: 0, buyerShortfallWh: 0, deviationWh: 0 }] },
  });
});

after(async () => {
  await s?.close();
  const ch = createClickHouse(stackConfig({ IES_CLICKHOUSE_DATABASE: database }));
  await ch.command({ query: `DROP DATABASE IF EXISTS ${database}` });
  await ch.close();
});

test('a hosted counterparty DISCOM disputes the lines of another DISCOM\'s statement that name it, and only those', async () => {
  const initial = await runCalendarStatement(deps, A, DAY, 'INITIAL');
  const c = JSON.parse(statementJsonOfJws((await s.store.get(A, initial.statementId))!.jws)) as StatementContent;
  const towardsB = c.lines.filter((l) => l.counterparty === `discom:${B}`);
  const notB = c.lines.find((l) => l.counterparty !== `discom:${B}` && l.kind !== 'ADJUSTMENT')!;
  assert.ok(towardsB.length > 0 && notB !== undefined, JSON.stringify(c.lines.map((l) => [l.kind, l.payer, l.payee, l.counterparty])));
  const claim = (l: (typeof c.lines)[number], amountPaise: number) => ({ kind: l.kind, reference: l.reference, intervalStartMs: l.intervalStartMs, meterId: l.meterId, payer: l.payer, payee: l.payee, claimed: { amountPaise } });
  const doc = (l: (typeof c.lines)[number]) => ({ schema: 'ies.settlement.dispute/v1', statementId: initial.statementId, type: 'CHARGE', reason: 'rate misapplied', lines: [claim(l, l.amountPaise + (l.payee === `discom:${B}` ? 500 : -500))], evidence: [] });
  const bDesk = { discomId: B, participantId: 'B-DESK', role: 'DISCOM' };

  // On a line that does not name B: no standing, answered as a statement that does not exist.
  const stray = await signed(doc(notB), B);
  await assert.rejects(raiseDispute(disputeDeps, bDesk, stray.bytes, stray.signed), (e: { code: string; message: string }) => e.code === 'IES_ERR_DISPUTE_INVALID' && e.message === `no statement ${initial.statementId} on this node`);

  // On the line towards B: admitted; A owes B 500 paise more (−500 as A sees it).
  const w = await signed(doc(towardsB[0]!), B);
  const raised = await raiseDispute(disputeDeps, bDesk, w.bytes, w.signed);
  assert.deepEqual([raised.status, raised.raisedBy, raised.adjustments], ['RAISED', bDesk, [{ counterparty: `discom:${B}`, amountPaise: -500 }]]);
  assert.equal((await s.store.get(A, initial.statementId))!.status, 'DISPUTED');
  // B's desk sees its dispute (kept in A's tenant); only A's desk decides it.
  assert.equal((await readDispute(disputeDeps, bDesk, A, raised.disputeId)).record.disputeId, raised.disputeId);
  await assert.rejects(decideDispute(disputeDeps, bDesk, A, raised.disputeId, 'UNDER_REVIEW', null, w.signed), (e: { code: string }) => e.code === 'IES_ERR_DISPUTE_NO_STANDING');
  const aDesk = { discomId: A, participantId: 'A-DESK', role: 'DISCOM' };
  assert.equal((await decideDispute(disputeDeps, aDesk, A, raised.disputeId, 'UNDER_REVIEW', null, w.signed)).status, 'UNDER_REVIEW');
  // Rejected, its statement's last open dispute: the figures stand, the statement is FINAL, the desk's signed decision kept.
  const rejection = await signed({ status: 'REJECTED', reason: 'the pack\'s rate was applied' }, A);
  assert.equal((await decideDispute(disputeDeps, aDesk, A, raised.disputeId, 'REJECTED', 'the pack\'s rate was applied', rejection.signed)).status, 'REJECTED');
  const history = await s.store.history(A, initial.statementId);
  assert.deepEqual(history.map((h) => [h.status, h.by]), [['COMPUTED', 'settlement-worker'], ['DISPUTED', 'B-DESK'], ['FINAL', 'A-DESK']]);
  assert.deepEqual([history[1]!.signed?.jws, history[2]!.signed?.jws], [w.signed.jws, rejection.signed.jws]);
});
