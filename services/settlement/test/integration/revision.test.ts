// A revised read after the day's statement was issued, end to end on the local stack: reads in
// ClickHouse, the settlement service's sweep (allocation versions), and the statement run
// (R0, then R1 revising R0 with R0's hash), with the real P2pStore in Redis between them.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { createClickHouse } from '@ies/clickhouse';
import { createLogger } from '@ies/observability';
import { provisionTenants } from '@ies/kafka';
import { nullStream, stackConfig, uniqueTenant } from '@ies/testing';
import { istDayOf } from '@ies/units';
import { SETTLEMENT_KEY_ROLE, verifyStatementJws } from '@ies/verify';
import { startSettlementService } from '../../src/index.js';
import { runStatement } from '../../src/statement-run.js';
import { connect, fakeReceipt, newEnv, tradeOn } from './support.js';

const DAY_MS = 86_400_000;
const BLOCK_MS = 900_000;
const A = uniqueTenant('RV');
const database = `it_rev_${randomBytes(4).toString('hex')}`;
const DAY = istDayOf(Date.now() - 2 * DAY_MS);
const statementEnv = newEnv(A, database);
const env = {
  IES_TENANTS: A, IES_CLICKHOUSE_DATABASE: database, IES_SETTLEMENT_KEYS_DIR: statementEnv.keysDir,
  IES_SETTLEMENT_RECONCILE_GRACE_MS: '0', IES_SETTLEMENT_STATEMENT_GRACE_MS: String(20 * DAY_MS), IES_LOG_LEVEL: 'silent',
};
const ch = createClickHouse(stackConfig(env));
let service: Awaited<ReturnType<typeof startSettlementService>>;
let s: Awaited<ReturnType<typeof connect>>;
const trade = tradeOn(A, DAY, `RV-${randomBytes(3).toString('hex')}`);

/** 15-minute reads of one meter over the trade's two hours: `wh[i]` for block i (−1 = no read). */
async function reads(meter: string, channel: 'IMPORT' | 'EXPORT', wh: readonly number[], batch: string, receivedAtMs: number): Promise<void> {
  const start = trade.intervals[0]!.startMs;
  const values = wh.map((v, i) => ({ discom_id: A, meter_id: meter, block_start: (start + i * BLOCK_MS) / 1000, channel, wh: v, validation_status: 'VALID', source: 'HES', batch_id: batch, index_in_batch: i, head_end_id: 'HES-1', received_at_ms: receivedAtMs })).filter((r) => r.wh >= 0);
  await ch.insert({ table: 'reads', values, format: 'JSONEachRow' });
  await fakeReceipt(s.redis, A, batch, { origin: `ies.local/it/${A}`, size: receivedAtMs, rootHash: Buffer.alloc(32, receivedAtMs % 251).toString('base64') });
}

before(async () => {
  await provisionTenants(stackConfig(env, 'admin'), [A], createLogger({ name: 'it', level: 'silent' }, nullStream()));
  service = await startSettlementService({ ...process.env, ...env }, { sweepOnStart: false, logger: createLogger({ name: 'it', level: 'silent' }, nullStream()) });
  s = await connect(statementEnv);
  await service.store.confirm(A, trade, 'PLAT-IT', Date.now());
  await reads('S-1', 'EXPORT', new Array(8).fill(1000), 'B-S', 1_000);
  await reads('B-1', 'IMPORT', new Array(8).fill(1000), 'B-B', 1_000);
});

after(async () => {
  await service?.stop();
  await s?.close();
  await ch.command({ query: `DROP DATABASE IF EXISTS ${database}` });
  await ch.close();
});

test('a revised read after R0 was issued: allocation version 2, and the statement run makes R1 revising R0 (its id and hash)', async () => {
  await service.sweep();
  const v1 = (await service.store.getFinalRecord(A, trade.tradeId))!;
  assert.equal(v1.version, 1);
  assert.deepEqual(v1.final.intervals.map((i) => [i.contractedWh, i.sellerWh, i.buyerWh, i.finalWh]), [[4000, 4000, 4000, 4000], [4000, 4000, 4000, 4000]]);
  const r0 = await runStatement(s.runDeps, A, { kind: 'DAY', day: DAY });
  assert.deepEqual([r0.outcome, r0.statementId, r0.status], ['CREATED', `${A}:${DAY}:R0`, 'COMPUTED']);

  // The head-end revises the 10:15 block of the seller's export: 400 Wh, not 1000.
  await reads('S-1', 'EXPORT', [-1, 400], 'B-S-REV', 2_000);
  await service.sweep();
  const v2 = (await service.store.getFinalRecord(A, trade.tradeId))!;
  assert.equal(v2.version, 2);
  assert.deepEqual(v2.final.intervals.map((i) => [i.sellerWh, i.finalWh, i.sellerShortfallWh]), [[3400, 3400, 600], [4000, 4000, 0]]);

  const r1 = await runStatement(s.runDeps, A, { kind: 'DAY', day: DAY });
  assert.deepEqual([r1.outcome, r1.statementId, r1.supersededId, r1.status], ['REVISED', `${A}:${DAY}:R1`, r0.statementId, 'COMPUTED']);
  const latest = (await s.store.latest(A, { kind: 'DAY', day: DAY }))!;
  assert.deepEqual(latest.built.content.revises, { id: r0.statementId, sha256: r0.sha256 });
  const shortfall = latest.built.content.lines.filter((l) => l.kind === 'SELLER_SHORTFALL');
  assert.deepEqual(shortfall.map((l) => [l.meterId, l.quantityWh]), [['S-1', 600]]);
  const energy = latest.built.content.lines.filter((l) => l.kind === 'P2P_ENERGY').reduce((n, l) => n + (l.quantityWh ?? 0), 0);
  assert.equal(energy, 2 * (3400 + 4000), 'buyer → DISCOM and DISCOM → seller, both intervals, on the final energy');
  const jwks = (await s.keys.keyFile(A).current()).jwks.map((j) => ({ ...j, 'ies:role': SETTLEMENT_KEY_ROLE }));
  assert.ok((await verifyStatementJws(latest.stored.jws, jwks)).ok);
  assert.equal((await s.store.get(A, r0.statementId))!.status, 'SUPERSEDED');
});
