// A calendar run under the ESTIMATE missing-data policy, on the real stack: S-1's 10:15 read
// is missing at INITIAL's cut-off; the day before, S-1 exported 800 Wh in that block. INITIAL
// settles the trade on 3000 + 800 = 3800 Wh, every line marked ESTIMATE, the shortfall held,
// the trade pending. The read then arrives after the cut-off: INITIAL re-runs to its very bytes
// (estimates use only reads received by the cut-off).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { uniqueTenant } from '@ies/testing';
import { istDayOf } from '@ies/units';
import { statementJsonOfJws, type StatementContent } from '@ies/verify';
import type { PolicyPack } from '../../src/domain/policy-pack.js';
import { finalsAtCutoff } from '../../src/finals-at-cutoff.js';
import { estimatedFinals } from '../../src/run-estimates.js';
import { loadSideReads } from '../../src/side-reads.js';
import { runCalendarStatement, type CalendarRunDeps } from '../../src/statement-calendar-run.js';
import { connect, finalOf, newEnv, policyFor, tradeOn } from './support.js';

const DAY_MS = 86_400_000;
const BLOCK_MS = 900_000;
const T = uniqueTenant('ES');
const database = `it_est_${randomBytes(4).toString('hex')}`;
const DAY = istDayOf(Date.now() - 2 * DAY_MS);
const env = newEnv(T, database);
const PACK: PolicyPack = {
  ...policyFor(T),
  p2p: { wheeling: { buyerPaisePerKwh: 0, sellerPaisePerKwh: 0 }, transactionCharge: { buyerPaisePerKwh: 20, sellerPaisePerKwh: 20 }, sellerShortfall: { treatment: 'FIXED_RATE', ratePaisePerKwh: 800 }, buyerShortfall: { treatment: 'WAIVED' } },
  calendar: { allowEarlyRuns: true, runs: [{ name: 'INITIAL', cutoffMinutesAfterDayEnd: 10 * 1440, missingData: 'ESTIMATE' }, { name: 'R1', cutoffMinutesAfterDayEnd: 20 * 1440, missingData: 'ZERO_PENDING' }] },
};
const trade = tradeOn(T, DAY, `ES-${randomBytes(3).toString('hex')}`, 1);
let s: Awaited<ReturnType<typeof connect>>;
let deps: CalendarRunDeps;

async function reads(meter: string, channel: 'IMPORT' | 'EXPORT', startMs: number, wh: readonly number[], batch: string, receivedAtMs: number) {
  const values = wh.map((v, i) => ({ discom_id: T, meter_id: meter, block_start: (startMs + i * BLOCK_MS) / 1000, channel, wh: v, validation_status: 'VALID', source: 'HES', batch_id: batch, index_in_batch: i, head_end_id: 'HES-1', received_at_ms: receivedAtMs })).filter((r) => r.wh >= 0);
  await s.ch.insert({ table: 'reads', values, format: 'JSONEachRow' });
}

before(async () => {
  s = await connect(env);
  deps = {
    ...s.runDeps, policies: [PACK],
    finalsAt: (d, ids, cutoffMs) => finalsAtCutoff(s.ch, (id) => s.p2p.getFinalRecord(d, id), d, ids, cutoffMs),
    estimatesAt: (d, day, trades, finals, cutoffMs) => estimatedFinals((discom, channel, meters, fromMs, toMs, by) => loadSideReads(s.ch, discom, channel, meters, fromMs, toMs, by), d, day, trades, finals, cutoffMs),
  };
  const start = trade.intervals[0]!.startMs;
  await s.p2p.confirm(T, trade, 'PLAT-IT', Date.now());
  // At the cut-off: S-1 1000, (none), 1000, 1000 Wh; B-1 1000 Wh each block; the day before S-1 exported 800 Wh at 10:15.
  await reads('S-1', 'EXPORT', start, [1000, -1, 1000, 1000], 'B-S', 1_000);
  await reads('B-1', 'IMPORT', start, [1000, 1000, 1000, 1000], 'B-B', 1_000);
  await reads('S-1', 'EXPORT', start - DAY_MS, [700, 800, 700, 700], 'B-S-PRIOR', 1_000);
  await s.p2p.saveFinal(T, { discomId: T, version: 1, final: { ...finalOf(T, trade, 3000), sellerStatus: 'INCOMPLETE', status: 'INCOMPLETE' }, sellerJws: '', buyerJws: '', at: Date.now() - 1 });
});

after(async () => {
  await s?.close();
  const { createClickHouse } = await import('@ies/clickhouse');
  const ch = createClickHouse((await import('@ies/testing')).stackConfig({ IES_CLICKHOUSE_DATABASE: database }));
  await ch.command({ query: `DROP DATABASE IF EXISTS ${database}` });
  await ch.close();
});

test('INITIAL under ESTIMATE settles the missing block on its like-day estimate, marked; a read after the cut-off does not change a re-run', async () => {
  const initial = await runCalendarStatement(deps, T, DAY, 'INITIAL');
  const c = JSON.parse(statementJsonOfJws((await s.store.get(T, initial.statementId))!.jws)) as StatementContent;
  // 3800 Wh × 600 paise/kWh = 2280 paise each way; charges 3800 × 20 = 76 paise each; 200 Wh short, held at rate 0.
  assert.deepEqual(c.lines.map((l) => [l.kind, l.meterId, l.quantityWh, l.amountPaise, l.missingData ?? null]).sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b))), [
    ['P2P_ENERGY', 'B-1', 3800, 2280, 'ESTIMATE'],
    ['P2P_ENERGY', 'S-1', 3800, 2280, 'ESTIMATE'],
    ['SELLER_SHORTFALL', 'S-1', 200, 0, 'ESTIMATE'],
    ['TRANSACTION_CHARGE', 'B-1', 3800, 76, 'ESTIMATE'],
    ['TRANSACTION_CHARGE', 'S-1', 3800, 76, 'ESTIMATE'],
  ]);
  assert.deepEqual([c.run?.missingData, c.pending], ['ESTIMATE', [{ reference: trade.tradeId, reason: 'READS_INCOMPLETE' }]]);
  // The real read (1000 Wh) arrives after the cut-off: the re-run still estimates, to the same bytes.
  await reads('S-1', 'EXPORT', trade.intervals[0]!.startMs + BLOCK_MS, [1000], 'B-S-LATE', Date.now() + 60_000);
  const again = await runCalendarStatement(deps, T, DAY, 'INITIAL');
  assert.deepEqual([again.outcome, again.sha256], ['UNCHANGED', initial.sha256]);
});
