// The settlement desk publishes only what it committed: statement status changes and dispute
// transitions are committed in Redis (a compare-and-set) and queued in an outbox in one step,
// then relayed to statements.v1 / ClickHouse and disputes.v1. Two decisions racing on one
// statement or one dispute leave exactly one of them everywhere (Redis, the topics,
// statement_history), so a rebuild after Redis is lost agrees with what was answered. A change
// committed while Kafka refuses stays queued and is published by the next relay.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes, randomUUID } from 'node:crypto';
import { createClickHouse, sql } from '@ies/clickhouse';
import { TOPICS, topicName } from '@ies/contracts';
import { generateSigningKey, type KeyPair } from '@ies/crypto';
import { createIdempotentProducer, createKafka, replayTopic } from '@ies/kafka';
import { createLogger } from '@ies/observability';
import { nullStream, stackConfig, uniqueTenant } from '@ies/testing';
import { istDayOf } from '@ies/units';
import type { PolicyPack } from '../../src/domain/policy-pack.js';
import { DisputeStore, type SignedWrite } from '../../src/dispute-store.js';
import { decideDispute, raiseDispute, type DisputeDeps } from '../../src/disputes.js';
import { startSettlementService } from '../../src/index.js';
import { runCalendarStatement, type CalendarRunDeps } from '../../src/statement-calendar-run.js';
import { changeStatementStatus } from '../../src/statement-status.js';
import { connect, deskDeps, finalOf, loseDeskState, newEnv, policyFor, signedDeskWrite, tradeOn } from './support.js';

const DAY_MS = 86_400_000;
const T = uniqueTenant('DO');
const database = `it_outbox_${randomBytes(4).toString('hex')}`;
const DAY = istDayOf(Date.now() - 2 * DAY_MS);
const statementEnv = newEnv(T, database);
const env = { IES_TENANTS: T, IES_CLICKHOUSE_DATABASE: database, IES_SETTLEMENT_KEYS_DIR: statementEnv.keysDir, IES_SETTLEMENT_STATEMENT_GRACE_MS: String(20 * DAY_MS), IES_LOG_LEVEL: 'silent' };
const PACK: PolicyPack = {
  ...policyFor(T),
  calendar: { allowEarlyRuns: true, runs: [{ name: 'INITIAL', cutoffMinutesAfterDayEnd: 10 * 1440, missingData: 'ZERO_PENDING' }] },
  disputes: { materialityPaise: 100, types: { CHARGE: { deadlineMinutesAfterCutoff: 30 * 1440 } } },
};
const ch = createClickHouse(stackConfig(env));
const start = () => startSettlementService({ ...process.env, ...env }, { sweepOnStart: false, logger: createLogger({ name: 'it', level: 'silent' }, nullStream()) });
let service: Awaited<ReturnType<typeof start>>;
let s: Awaited<ReturnType<typeof connect>>;
let deps: CalendarRunDeps;
let disputeDeps: DisputeDeps;
let desk: KeyPair;
const trade = tradeOn(T, DAY, `DO-${randomBytes(3).toString('hex')}`, 1);
const DESK = { discomId: T, participantId: 'T-DESK', role: 'DISCOM' };

const signedWrite = (body: unknown, htu: string) => signedDeskWrite(desk, T, body, htu);

/** The tenant's records on a topic, decoded, in topic order. */
async function topicRecords<T>(topic: (typeof TOPICS)[keyof typeof TOPICS]): Promise<T[]> {
  const kafka = createKafka(stackConfig(env, 'admin'), s.logger);
  const admin = kafka.admin();
  await admin.connect();
  const out: T[] = [];
  try {
    await replayTopic({ kafka, admin, topic: topicName(T, topic), groupId: `${T}-it-outbox-${randomUUID()}` }, async (r) => void out.push(await s.serde.decode<T>(r.value)));
  } finally {
    await admin.disconnect();
  }
  return out;
}

/** Consecutive repeats folded: a relay runs at least once, and consumers keep a (record, status) once. */
const once = (xs: readonly string[]) => xs.filter((x, i) => i === 0 || xs[i - 1] !== x);

/** A statement's statement_history rows: status, and whether the row carries the JWS (only the one that first recorded the content does). */
async function historyRows(statementId: string): Promise<[string, boolean][]> {
  const rows = await (await ch.query({ query: sql`SELECT status, length(jws) AS jws_length FROM statement_history FINAL WHERE discom_id = ${T} AND statement_id = ${statementId} ORDER BY at_ms`, format: 'JSONEachRow' })).json<{ status: string; jws_length: number | string }>();
  return rows.map((r) => [r.status, Number(r.jws_length) > 0]);
}

const energy = (meterId: string, amountPaise: number) => ({
  kind: 'P2P_ENERGY', reference: trade.tradeId, intervalStartMs: trade.intervals[0]!.startMs, meterId,
  payer: meterId === 'B-1' ? 'meter:B-1' : `discom:${T}`, payee: meterId === 'B-1' ? `discom:${T}` : 'meter:S-1', claimed: { amountPaise },
});

before(async () => {
  s = await connect(statementEnv);
  service = await start();
  desk = await generateSigningKey('EdDSA');
  ({ runs: deps, disputes: disputeDeps } = deskDeps(s, T, PACK));
  await s.p2p.confirm(T, trade, 'PLAT-IT', Date.now());
  await s.p2p.saveFinal(T, { discomId: T, version: 1, final: finalOf(T, trade, 3000), sellerJws: '', buyerJws: '', at: Date.now() - 1 });
});

after(async () => {
  await service?.stop();
  await s?.close();
  await ch.command({ query: `DROP DATABASE IF EXISTS ${database}` });
  await ch.close();
});

test('two moves racing on a statement and two decisions racing on a dispute: one of each wins, and only it is published, recorded and rebuilt', async () => {
  const initial = await runCalendarStatement(deps, T, DAY, 'INITIAL');
  const store = { store: s.store, sinks: s.runDeps.sinks, now: Date.now };
  // Both read COMPUTED before either commits (each awaits its read first), so both are allowed moves.
  const final = await signedWrite({ status: 'FINAL' }, `/v1/statements/${initial.statementId}/status`);
  const disputed = await signedWrite({ status: 'DISPUTED' }, `/v1/statements/${initial.statementId}/status`);
  const moves = await Promise.allSettled([
    changeStatementStatus(store, T, initial.statementId, 'FINAL', 'T-DESK', 'release', final.signed),
    changeStatementStatus(store, T, initial.statementId, 'DISPUTED', 'T-DESK', 'contest', disputed.signed),
  ]);
  assert.deepEqual(moves.map((m) => m.status), ['fulfilled', 'rejected'], 'the first committed; the second lost its compare-and-set');
  assert.equal((moves[1] as PromiseRejectedResult).reason.code, 'IES_ERR_DEPENDENCY_UNAVAILABLE');
  assert.deepEqual((await s.store.history(T, initial.statementId)).map((h) => h.status), ['COMPUTED', 'FINAL']);
  assert.deepEqual(await historyRows(initial.statementId), [['COMPUTED', true], ['FINAL', false]], 'statement_history holds the winner only, the JWS once');
  const published = (await topicRecords<{ statementId: string; status: string }>(TOPICS.statements)).filter((r) => r.statementId === initial.statementId).map((r) => r.status);
  assert.deepEqual(once(published), ['COMPUTED', 'FINAL'], 'statements.v1 carries the winner only');

  // A dispute under review, decided twice at once: UPHELD and REJECTED.
  const raise = await signedWrite({ schema: 'ies.settlement.dispute/v1', statementId: initial.statementId, type: 'CHARGE', reason: 'price misapplied', lines: [energy('B-1', 2400), energy('S-1', 2400)], evidence: [] }, '/v1/disputes');
  const raised = await raiseDispute(disputeDeps, DESK, raise.bytes, raise.signed);
  const signedDecision = (status: 'UNDER_REVIEW' | 'UPHELD' | 'REJECTED') => signedWrite({ status }, `/v1/disputes/${raised.disputeId}/decisions`);
  const decide = (status: 'UNDER_REVIEW' | 'UPHELD' | 'REJECTED', w: { signed: SignedWrite }) => decideDispute(disputeDeps, DESK, T, raised.disputeId, status, status.toLowerCase(), w.signed);
  await decide('UNDER_REVIEW', await signedDecision('UNDER_REVIEW'));
  // Signed first, then sent together: both read UNDER_REVIEW before either commits.
  const [upheld, rejected] = [await signedDecision('UPHELD'), await signedDecision('REJECTED')];
  const decisions = await Promise.allSettled([decide('UPHELD', upheld), decide('REJECTED', rejected)]);
  const won = decisions.filter((d): d is PromiseFulfilledResult<Awaited<ReturnType<typeof decide>>> => d.status === 'fulfilled');
  assert.equal(won.length, 1, 'exactly one decision is answered as made');
  const winner = won[0]!.value.status;
  assert.equal((await disputeDeps.disputes.get(T, raised.disputeId))?.status, winner);
  const transitions = (await topicRecords<{ disputeId: string; status: string }>(TOPICS.disputes)).filter((r) => r.disputeId === raised.disputeId).map((r) => r.status);
  assert.deepEqual(once(transitions), ['RAISED', 'UNDER_REVIEW', winner], 'disputes.v1 carries the decision that was answered, and not the other');

  // Redis lost: the rebuild gives back what was answered.
  await service.stop();
  const before = { statement: await s.store.history(T, initial.statementId), dispute: await disputeDeps.disputes.get(T, raised.disputeId), decisions: await disputeDeps.disputes.history(T, raised.disputeId) };
  await loseDeskState(s.redis, T);
  service = await start();
  assert.deepEqual({ statement: await s.store.history(T, initial.statementId), dispute: await disputeDeps.disputes.get(T, raised.disputeId), decisions: await disputeDeps.disputes.history(T, raised.disputeId) }, before);
});

test('a transition committed while Kafka refuses is answered 503 and stays queued; the retry is answered once it is published, once', async () => {
  const statementId = `${T}:${DAY}:INITIAL`;
  // A real producer, disconnected: every send is refused, as when the brokers are unreachable.
  const refusing = createIdempotentProducer(createKafka(s.config, s.logger));
  await refusing.connect();
  await refusing.disconnect();
  const offline = new DisputeStore(s.redis, { producer: refusing, serde: s.serde });
  const raise = await signedWrite({ schema: 'ies.settlement.dispute/v1', statementId, type: 'CHARGE', reason: 'second claim', lines: [energy('S-1', 2600)], evidence: [] }, '/v1/disputes');
  await assert.rejects(raiseDispute({ ...disputeDeps, disputes: offline }, DESK, raise.bytes, raise.signed), (e: { code: string; details?: { retryAfterSeconds?: number } }) => e.code === 'IES_ERR_DEPENDENCY_UNAVAILABLE' && e.details?.retryAfterSeconds === 5);
  const queued = await s.redis.xlen(`ies:${T}:dispute:outbox`);
  assert.equal(queued, 1, 'the RAISED transition is committed and queued');
  const id = (await disputeDeps.disputes.ofDay(T, DAY)).find((d) => d.document.reason === 'second claim')!.disputeId;
  const onTopic = async () => (await topicRecords<{ disputeId: string; status: string }>(TOPICS.disputes)).filter((r) => r.disputeId === id).map((r) => r.status);
  assert.deepEqual(await onTopic(), [], 'nothing published yet');

  // The raiser's retry (Kafka back) is answered once the queued RAISED is on the topic, once.
  const again = await raiseDispute(disputeDeps, DESK, raise.bytes, raise.signed);
  assert.equal(again.disputeId, id);
  assert.deepEqual(await onTopic(), ['RAISED']);
  assert.equal(await disputeDeps.disputes.relay(T), 0, 'nothing left queued');

  // A decision committed while Kafka refuses: 503, queued; the desk's retry answers it once published.
  const review = await signedWrite({ status: 'UNDER_REVIEW' }, `/v1/disputes/${id}/decisions`);
  await assert.rejects(decideDispute({ ...disputeDeps, disputes: offline }, DESK, T, id, 'UNDER_REVIEW', null, review.signed), (e: { code: string }) => e.code === 'IES_ERR_DEPENDENCY_UNAVAILABLE');
  assert.equal((await disputeDeps.disputes.get(T, id))?.status, 'UNDER_REVIEW', 'committed');
  assert.deepEqual(await onTopic(), ['RAISED'], 'not published yet');
  assert.equal((await decideDispute(disputeDeps, DESK, T, id, 'UNDER_REVIEW', null, review.signed)).status, 'UNDER_REVIEW');
  assert.deepEqual(await onTopic(), ['RAISED', 'UNDER_REVIEW']);
  // And the front door's relay finds nothing more to send.
  assert.equal(await disputeDeps.disputes.relay(T), 0);
});
