// Statement runs against the real local stack: P2P inputs from the real P2pStore (Redis),
// signed with the tenant's settlement key, stored in Redis, published to statements.v1 and
// written to ClickHouse (a throw-away database).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { sql } from '@ies/clickhouse';
import { eventually, uniqueTenant } from '@ies/testing';
import type { JWK } from 'jose';
import { publishedSettlementKeys } from '../../src/settlement-keys.js';
import { SETTLEMENT_KEY_ROLE, verifyStatementJws } from '@ies/verify';
import { runStatement } from '../../src/statement-run.js';
import { changeStatementStatus } from '../../src/statement-status.js';
import { startStatementWorker } from '../../src/statement-worker.js';
import { connect, finalOf, newEnv, policyFor, tradeOn } from './support.js';

const database = `it_stmt_${randomBytes(4).toString('hex')}`;
const env = newEnv(uniqueTenant(), database);
const T = env.tenant;
let s: Awaited<ReturnType<typeof connect>>;

before(async () => {
  s = await connect(env);
});

after(async () => {
  await s.ch.command({ query: `DROP DATABASE IF EXISTS ${database}` });
  await s.close();
});

const settlementJwks = async (): Promise<JWK[]> => ((await publishedSettlementKeys(s.redis, T)) ?? []).map((k) => ({ ...k, 'ies:role': SETTLEMENT_KEY_ROLE }) as JWK);

test('a worker run signs and stores the day statement; the same inputs again change nothing; a changed final after R0 was issued gives R1 revising R0', async () => {
  const day = '2026-03-10';
  const trade = tradeOn(T, day, 'tx-1');
  await s.p2p.confirm(T, trade, 'it', Date.now());
  await s.p2p.saveFinal(T, { discomId: T, version: 1, final: finalOf(T, trade, 3000), sellerJws: '', buyerJws: '', at: Date.now() });

  const worker = await startStatementWorker({ config: s.config, connection: s.redis, producer: s.producer, serde: s.serde, ch: s.ch, p2p: s.p2p, dr: s.dr, logger: s.logger, policies: [policyFor(T)], queueName: env.queueName });
  let r0;
  try {
    await worker.runs.enqueue(T, { kind: 'DAY', day });
    r0 = await eventually(async () => (await s.store.latest(T, { kind: 'DAY', day })) ?? undefined, 20_000, 'R0 stored by the worker');
  } finally {
    await worker.stop();
  }
  assert.equal(r0.stored.statementId, `${T}:${day}:R0`);
  assert.equal(r0.stored.status, 'COMPUTED');
  // 2 intervals × (2 P2P energy + seller shortfall + 4 charges (wheeling and transaction, both sides)).
  assert.equal(r0.built.content.lines.length, 14);
  const check = await verifyStatementJws(r0.stored.jws, await settlementJwks());
  assert.ok(check.ok, JSON.stringify(check));
  assert.equal(check.sha256, r0.stored.sha256);

  // Same inputs: nothing written, byte-identical document and hash.
  const again = await runStatement(s.runDeps, T, { kind: 'DAY', day });
  assert.equal(again.outcome, 'UNCHANGED');
  const same = (await s.store.latest(T, { kind: 'DAY', day }))!;
  assert.equal(same.stored.jws, r0.stored.jws);
  assert.equal(same.built.json, r0.built.json);
  assert.equal(same.stored.sha256, r0.stored.sha256);

  // Issued (FINAL), then a late read changes the final allocation: R1 revises R0.
  await changeStatementStatus({ store: s.store, sinks: s.runDeps.sinks, now: Date.now }, T, r0.stored.statementId, 'FINAL', 'it', 'released');
  await s.p2p.saveFinal(T, { discomId: T, version: 2, final: finalOf(T, trade, 3500), sellerJws: '', buyerJws: '', at: Date.now() });
  const revised = await runStatement(s.runDeps, T, { kind: 'DAY', day });
  assert.deepEqual([revised.outcome, revised.statementId, revised.supersededId, revised.status], ['REVISED', `${T}:${day}:R1`, r0.stored.statementId, 'COMPUTED']);
  const r1 = (await s.store.latest(T, { kind: 'DAY', day }))!;
  assert.deepEqual(r1.built.content.revises, { id: r0.stored.statementId, sha256: r0.stored.sha256 });
  assert.equal((await s.store.get(T, r0.stored.statementId))!.status, 'SUPERSEDED');
  assert.deepEqual((await s.store.history(T, r0.stored.statementId)).map((h) => h.status), ['COMPUTED', 'FINAL', 'SUPERSEDED']);
  assert.deepEqual((await s.store.listDay(T, day)).map((x) => [x.version, x.status]), [[1, 'COMPUTED'], [0, 'SUPERSEDED']]);
  assert.ok((await verifyStatementJws(r1.stored.jws, await settlementJwks())).ok);

  // ClickHouse: the latest row of each statement, and the lines of R1's content.
  const rows = await (await s.ch.query({ query: sql`SELECT statement_id, argMax(status, updated_at_ms) AS status FROM statements WHERE discom_id = ${T} AND day = ${day} GROUP BY statement_id ORDER BY statement_id`, format: 'JSONEachRow' })).json<{ statement_id: string; status: string }>();
  assert.deepEqual(rows.map((r) => [r.statement_id, r.status]), [[r0.stored.statementId, 'SUPERSEDED'], [r1.stored.statementId, 'COMPUTED']]);
  const lines = await (await s.ch.query({ query: sql`SELECT count() AS n, sum(amount_paise) AS paise FROM statement_lines FINAL WHERE discom_id = ${T} AND sha256 = ${r1.stored.sha256}`, format: 'JSONEachRow' })).json<{ n: string; paise: string }>();
  assert.equal(Number(lines[0]!.n), r1.built.content.lines.length);
  assert.equal(Number(lines[0]!.paise), r1.built.content.lines.reduce((t, l) => t + l.amountPaise, 0));
});

test('a trade awaiting its final keeps the statement a DRAFT; the final arriving rebuilds it in place (same id, now COMPUTED)', async () => {
  const day = '2026-03-11';
  const trade = tradeOn(T, day, 'tx-2', 1);
  await s.p2p.confirm(T, trade, 'it', Date.now());
  const draft = await runStatement(s.runDeps, T, { kind: 'DAY', day });
  assert.deepEqual([draft.outcome, draft.status, draft.statementId], ['CREATED', 'DRAFT', `${T}:${day}:R0`]);
  assert.deepEqual((await s.store.latest(T, { kind: 'DAY', day }))!.built.content.pending, [{ reference: trade.tradeId, reason: 'AWAITING_ALLOCATION' }]);
  await s.p2p.saveFinal(T, { discomId: T, version: 1, final: finalOf(T, trade, 4000), sellerJws: '', buyerJws: '', at: Date.now() });
  const rebuilt = await runStatement(s.runDeps, T, { kind: 'DAY', day });
  assert.deepEqual([rebuilt.outcome, rebuilt.status, rebuilt.statementId], ['REBUILT', 'COMPUTED', `${T}:${day}:R0`]);
  assert.notEqual(rebuilt.sha256, draft.sha256);
  assert.deepEqual((await s.store.history(T, rebuilt.statementId)).map((h) => h.status), ['DRAFT', 'COMPUTED']);
  await assert.rejects(changeStatementStatus({ store: s.store, sinks: s.runDeps.sinks, now: Date.now }, T, `${T}:${day}:R9`, 'FINAL', 'it', null), /no statement/);
});
