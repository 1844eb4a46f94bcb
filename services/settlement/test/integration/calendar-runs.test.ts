// A day settled through two calendar runs, end to end on the local stack: reads in ClickHouse,
// the settlement service's sweep (final allocation versions in Redis and ClickHouse), and the
// calendar run use case. INITIAL is cut while a read of the seller is missing (ZERO_PENDING);
// the read arrives; INITIAL re-run gives its very bytes; R1 settles the read and the diff
// shows exactly that change, as LATE_READ.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { createClickHouse } from '@ies/clickhouse';
import { createLogger } from '@ies/observability';
import { provisionTenants } from '@ies/kafka';
import { nullStream, stackConfig, uniqueTenant } from '@ies/testing';
import { istDayOf } from '@ies/units';
import { SETTLEMENT_KEY_ROLE, verifyStatementJws, type StatementContent } from '@ies/verify';
import { statementJsonOfJws } from '@ies/verify';
import { SettlementError } from '../../src/domain/codes.js';
import type { PolicyPack } from '../../src/domain/policy-pack.js';
import { statementDiff } from '../../src/domain/statement-diff.js';
import { finalsAtCutoff } from '../../src/finals-at-cutoff.js';
import { startSettlementService } from '../../src/index.js';
import { rebuildRun, runCalendarStatement, type CalendarRunDeps } from '../../src/statement-calendar-run.js';
import { connect, fakeReceipt, newEnv, policyFor, tradeOn } from './support.js';
import { tradesAtCutoff } from '../../src/trades-at-cutoff.js';
import { transitionTrade } from '../../src/domain/trade-lifecycle.js';
import { eventually } from '@ies/testing';

const DAY_MS = 86_400_000;
const BLOCK_MS = 900_000;
const A = uniqueTenant('CR');
const database = `it_cal_${randomBytes(4).toString('hex')}`;
const DAY = istDayOf(Date.now() - 2 * DAY_MS);
const statementEnv = newEnv(A, database);
const env = {
  IES_TENANTS: A, IES_CLICKHOUSE_DATABASE: database, IES_SETTLEMENT_KEYS_DIR: statementEnv.keysDir,
  IES_SETTLEMENT_RECONCILE_GRACE_MS: '0', IES_SETTLEMENT_STATEMENT_GRACE_MS: String(20 * DAY_MS), IES_LOG_LEVEL: 'silent',
};
// Cut-offs far ahead (D+10, D+20): the test takes both runs early, each cut when it is asked for.
const PACK: PolicyPack = {
  ...policyFor(A),
  calendar: {
    allowEarlyRuns: true,
    runs: [{ name: 'INITIAL', cutoffMinutesAfterDayEnd: 10 * 1440, missingData: 'ZERO_PENDING' }, { name: 'R1', cutoffMinutesAfterDayEnd: 20 * 1440, missingData: 'ZERO_PENDING' }],
  },
};
const ch = createClickHouse(stackConfig(env));
let service: Awaited<ReturnType<typeof startSettlementService>>;
let s: Awaited<ReturnType<typeof connect>>;
let deps: CalendarRunDeps;
const trade = tradeOn(A, DAY, `CR-${randomBytes(3).toString('hex')}`);

/** 15-minute reads of one meter over the trade's two hours: `wh[i]` for block i (−1 = no read). */
async function reads(meter: string, channel: 'IMPORT' | 'EXPORT', wh: readonly number[], batch: string, receivedAtMs: number): Promise<void> {
  const start = trade.intervals[0]!.startMs;
  const values = wh.map((v, i) => ({ discom_id: A, meter_id: meter, block_start: (start + i * BLOCK_MS) / 1000, channel, wh: v, validation_status: 'VALID', source: 'HES', batch_id: batch, index_in_batch: i, head_end_id: 'HES-1', received_at_ms: receivedAtMs })).filter((r) => r.wh >= 0);
  await ch.insert({ table: 'reads', values, format: 'JSONEachRow' });
  await fakeReceipt(s.redis, A, batch, { origin: `ies.local/it/${A}`, size: receivedAtMs, rootHash: Buffer.alloc(32, receivedAtMs % 251).toString('base64') });
}

const contentOf = async (id: string) => JSON.parse(statementJsonOfJws((await s.store.get(A, id))!.jws)) as StatementContent;

before(async () => {
  await provisionTenants(stackConfig(env, 'admin'), [A], createLogger({ name: 'it', level: 'silent' }, nullStream()));
  service = await startSettlementService({ ...process.env, ...env }, { sweepOnStart: false, logger: createLogger({ name: 'it', level: 'silent' }, nullStream()) });
  s = await connect(statementEnv);
  deps = {
    ...s.runDeps, policies: [PACK], finalsAt: (d, ids, cutoffMs) => finalsAtCutoff(s.ch, (id) => s.p2p.getFinalRecord(d, id), d, ids, cutoffMs),
    tradesAt: async (d, day, cutoffMs) => tradesAtCutoff(s.ch, await s.p2p.heldTradesForDay(d, day), d, cutoffMs),
  };
  await service.store.confirm(A, trade, 'PLAT-IT', Date.now());
  // The seller's 10:15 block is missing; everything else is 1000 Wh a block.
  await reads('S-1', 'EXPORT', [1000, -1, 1000, 1000, 1000, 1000, 1000, 1000], 'B-S', 1_000);
  await reads('B-1', 'IMPORT', new Array(8).fill(1000), 'B-B', 1_000);
});

after(async () => {
  await service?.stop();
  await s?.close();
  await ch.command({ query: `DROP DATABASE IF EXISTS ${database}` });
  await ch.close();
});

test('INITIAL with a missing read under ZERO_PENDING, the read arrives, INITIAL re-runs to the same bytes, R1 settles it; the diff is exactly that change', async () => {
  await service.sweep();
  const v1 = (await service.store.getFinalRecord(A, trade.tradeId))!;
  assert.deepEqual([v1.version, v1.final.status, v1.final.intervals.map((i) => i.sellerWh)], [1, 'INCOMPLETE', [3000, 4000]]);

  const initial = await runCalendarStatement(deps, A, DAY, 'INITIAL');
  assert.deepEqual([initial.outcome, initial.statementId, initial.status, initial.run.name, initial.early], ['CREATED', `${A}:${DAY}:INITIAL`, 'COMPUTED', 'INITIAL', true]);
  const i0 = await contentOf(initial.statementId);
  assert.deepEqual([i0.complete, i0.pending, i0.run], [false, [{ reference: trade.tradeId, reason: 'READS_INCOMPLETE' }], initial.run]);
  assert.ok(i0.lines.length > 0 && i0.lines.every((l) => l.missingData === 'ZERO_PENDING'), 'every line of the trade is marked with the policy');
  // The seller's shortfall in the first hour (1000 Wh, for want of a read) is held at rate 0.
  assert.deepEqual(i0.lines.filter((l) => l.kind === 'SELLER_SHORTFALL').map((l) => [l.quantityWh, l.amountPaise]), [[1000, 0]]);
  assert.deepEqual(i0.evidence, v1.final.evidence);

  // The missing read arrives after INITIAL's cut-off; the sweep makes final version 2.
  await reads('S-1', 'EXPORT', [-1, 1000], 'B-S-LATE', 2_000);
  await service.sweep();
  const v2 = (await service.store.getFinalRecord(A, trade.tradeId))!;
  assert.deepEqual([v2.version, v2.final.status], [2, 'COMPLETED']);

  // Re-running INITIAL from the durable records gives the issued bytes: the late read is not in it.
  const { rebuilt, issued } = await rebuildRun(deps, A, initial.statementId);
  assert.equal(rebuilt.json, issued.json);
  assert.equal(rebuilt.sha256, initial.sha256);
  assert.equal((await runCalendarStatement(deps, A, DAY, 'INITIAL')).outcome, 'UNCHANGED');

  const r1 = await runCalendarStatement(deps, A, DAY, 'R1');
  assert.deepEqual([r1.outcome, r1.statementId, r1.supersededId, r1.status], ['REVISED', `${A}:${DAY}:R1`, initial.statementId, 'COMPUTED']);
  const c1 = await contentOf(r1.statementId);
  assert.deepEqual([c1.version, c1.revises, c1.complete, c1.pending], [1, { id: initial.statementId, sha256: initial.sha256 }, true, []]);
  assert.equal((await s.store.get(A, initial.statementId))!.status, 'SUPERSEDED');

  const diff = statementDiff(i0, c1);
  const firstHour = trade.intervals[0]!.startMs;
  assert.ok(diff.lines.length > 0 && diff.lines.every((l) => l.reason === 'LATE_READ' && l.intervalStartMs === firstHour), JSON.stringify(diff.lines));
  assert.deepEqual(diff.lines.map((l) => [l.change, l.kind, l.meterId, l.before?.quantityWh ?? null, l.after?.quantityWh ?? null]), [
    ['CHANGED', 'P2P_ENERGY', 'B-1', 3000, 4000],
    ['CHANGED', 'P2P_ENERGY', 'S-1', 3000, 4000],
    ['REMOVED', 'SELLER_SHORTFALL', 'S-1', 1000, null],
    ['CHANGED', 'TRANSACTION_CHARGE', 'B-1', 3000, 4000],
    ['CHANGED', 'TRANSACTION_CHARGE', 'S-1', 3000, 4000],
    ['CHANGED', 'WHEELING', 'B-1', 3000, 4000],
    ['CHANGED', 'WHEELING', 'S-1', 3000, 4000],
  ]);
  assert.deepEqual(diff.pending, { resolved: [trade.tradeId], opened: [] });
  // The second hour's lines only lose their ZERO_PENDING mark (same figures): not a change.
  const jwks = (await s.keys.keyFile(A).current()).jwks.map((j) => ({ ...j, 'ies:role': SETTLEMENT_KEY_ROLE }));
  assert.ok((await verifyStatementJws((await s.store.get(A, r1.statementId))!.jws, jwks)).ok);
});

test('asking for an earlier run after a later one was issued, or a run the calendar does not have, is refused with its code', async () => {
  const codeOf = async (f: () => Promise<unknown>) => f().then(() => 'none', (e: unknown) => (e as SettlementError).code);
  assert.equal(await codeOf(() => runCalendarStatement(deps, A, DAY, 'R7')), 'IES_ERR_STATEMENT_RUN_UNKNOWN');
  assert.equal(await codeOf(() => runCalendarStatement({ ...deps, policies: [{ ...PACK, calendar: { ...PACK.calendar!, allowEarlyRuns: false } }] }, A, istDayOf(Date.now() - 2 * DAY_MS + DAY_MS), 'R1')), 'IES_ERR_STATEMENT_RUN_NOT_DUE');
});

test('trades as held at the cut-off: a trade registered, and a trade cancelled, after R1 was cut do not change a re-run of R1', async () => {
  const r1 = `${A}:${DAY}:R1`;
  const issued = (await s.store.get(A, r1))!.sha256;
  const late = tradeOn(A, DAY, `CR-LATE-${randomBytes(3).toString('hex')}`, 1);
  await service.store.confirm(A, late, 'PLAT-IT', Date.now());
  // The settled trade is cancelled after the cut-off too (its earlier revisions reach p2p_trades through p2p-trades.v1).
  const held = (await service.store.getTrade(A, trade.tradeId))!;
  await eventually(async () => {
    const rows = await (await ch.query({ query: `SELECT count() AS n FROM p2p_trades WHERE discom_id = '${A}' AND trade_id = '${trade.tradeId}' AND revision = ${held.revision}`, format: 'JSONEachRow' })).json<{ n: string }>();
    return Number(rows[0]?.n) > 0 ? true : undefined;
  }, 30_000, 'the trade\'s held revision in p2p_trades');
  await service.store.update(A, trade.tradeId, (r) => transitionTrade(r, 'CANCELLED'), 'PLAT-IT', Date.now(), 'cancelled after R1');
  assert.equal((await s.p2p.tradesForDay(A, DAY)).length, 2, 'the store holds both now');
  const again = await runCalendarStatement(deps, A, DAY, 'R1');
  assert.deepEqual([again.outcome, again.sha256], ['UNCHANGED', issued]);
  // Without the cut-off (the trades as held now), the re-run would not reproduce.
  await assert.rejects(runCalendarStatement({ ...deps, tradesAt: undefined } as CalendarRunDeps, A, DAY, 'R1'), (e: SettlementError) => e.code === 'IES_ERR_STATEMENT_RUN_NOT_REPRODUCIBLE');
});
