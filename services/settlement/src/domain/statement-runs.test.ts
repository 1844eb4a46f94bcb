// Calendar runs, missing-data policies and run diffs, hand-worked. Day 2026-04-26 (IST), one
// intra-DISCOM trade T of BRPL-DL: seller S-1, buyer B-1, 10:00–11:00 IST (04:30Z), 4000 Wh
// at 600 paise/kWh. Pack: no wheeling, transaction charge 20 + 20 paise/kWh, seller shortfall
// 800 paise/kWh, buyer shortfall waived. Amount = Wh × paise/kWh / 1000.
// At INITIAL's cut-off a 1000 Wh block of S-1's export is missing: the final is INCOMPLETE,
// seller side 3000 Wh, FINAL_ALLOC 3000 Wh; the read arrives before R1: 4000 Wh, COMPLETED.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { seal, statementId, type StatementContent, type StatementRun } from '@ies/verify';
import { SettlementError } from './codes.js';
import type { FinalAllocation } from './final-allocation.js';
import { missingDataTreatment } from './missing-data-policy.js';
import { validatePolicyPack, type PolicyPack } from './policy-pack.js';
import { calendarProblems, resolveRun, runCutoff, type SettlementCalendar } from './settlement-calendar.js';
import { buildStatement } from './statement.js';
import { statementDiff } from './statement-diff.js';
import type { NormalisedTrade, TradeRecord } from './trade.js';

const D = 'BRPL-DL';
const DAY = '2026-04-26';
const START = Date.parse('2026-04-26T04:30:00Z');
const END = START + 3_600_000;
const CALENDAR: SettlementCalendar = {
  runs: [
    { name: 'INITIAL', cutoffMinutesAfterDayEnd: 1440, missingData: 'ZERO_PENDING' },
    { name: 'R1', cutoffMinutesAfterDayEnd: 5 * 1440, missingData: 'ZERO_PENDING' },
    { name: 'R2', cutoffMinutesAfterDayEnd: 15 * 1440, missingData: 'EXCLUDE_TRADE' },
    { name: 'FINAL', cutoffMinutesAfterDayEnd: 30 * 1440, missingData: 'ZERO_PENDING' },
  ],
};
const PACK: PolicyPack = {
  policyId: 'BRPL-DL.runs-test', discomId: D, version: 1, effectiveFrom: '2026-01-01', calendar: CALENDAR,
  p2p: { wheeling: { buyerPaisePerKwh: 0, sellerPaisePerKwh: 0 }, transactionCharge: { buyerPaisePerKwh: 20, sellerPaisePerKwh: 20 }, sellerShortfall: { treatment: 'FIXED_RATE', ratePaisePerKwh: 800 }, buyerShortfall: { treatment: 'WAIVED' } },
};
const TRADE: NormalisedTrade = {
  tradeId: 'T/c', transactionId: 'T', commitmentId: 'c', contractId: null,
  seller: { meterId: 'S-1', discomId: D, platformId: 'p' }, buyer: { meterId: 'B-1', discomId: D, platformId: 'p' },
  intervals: [{ startMs: START, endMs: END, quantityWh: 4000, pricePaisePerKwh: 600 }],
  intent: 'CONFIRM', source: { action: 'confirm', messageId: null, timestamp: null },
};
const RECORD: TradeRecord = { trade: TRADE, state: 'ALLOCATED', revision: 1 };

function final(sellerWh: number, status: FinalAllocation['status']): FinalAllocation {
  return {
    tradeId: TRADE.tradeId, sellerDiscomId: D, buyerDiscomId: D, sellerVersion: 1, buyerVersion: 1, sellerStatus: status, buyerStatus: 'COMPLETED', status,
    intervals: [{ startMs: START, endMs: END, contractedWh: 4000, sellerWh, buyerWh: 4000, finalWh: sellerWh, sellerShortfallWh: 4000 - sellerWh, buyerShortfallWh: 0, deviationWh: 4000 - sellerWh }],
    evidence: [{ origin: 'ies.local/BRPL-DL', size: 9, rootHash: 'cm9vdA==' }],
  };
}
const MISSING = final(3000, 'INCOMPLETE');
const ARRIVED = final(4000, 'COMPLETED');
const run = (name: string, missingData: StatementRun['missingData']): StatementRun => ({ name, cutoffMs: runCutoff(DAY, CALENDAR.runs.find((r) => r.name === name)!), missingData });

/** [kind, meter, Wh, rate, paise, policy mark] sorted. */
const rows = (c: StatementContent) => c.lines.map((l) => [l.kind, l.meterId, l.quantityWh, l.ratePaisePerKwh, l.amountPaise, l.missingData ?? null]).sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b)));

test('cut-offs are offsets from the end of the IST day; the default run is the latest whose cut-off has passed', () => {
  assert.equal(new Date(runCutoff(DAY, CALENDAR.runs[0]!)).toISOString(), '2026-04-27T18:30:00.000Z');
  assert.equal(new Date(runCutoff(DAY, CALENDAR.runs[1]!)).toISOString(), '2026-05-01T18:30:00.000Z');
  const at = Date.parse('2026-05-01T20:00:00Z');
  assert.deepEqual((({ run, cutoffMs, early }) => [run.name, cutoffMs, early])(resolveRun(CALENDAR, D, DAY, at)), ['R1', Date.parse('2026-05-01T18:30:00Z'), false]);
  assert.equal(resolveRun(CALENDAR, D, DAY, at, 'INITIAL').run.name, 'INITIAL');
  const codeOf = (f: () => unknown) => { try { f(); return 'none'; } catch (e) { return (e as SettlementError).code; } };
  assert.equal(codeOf(() => resolveRun(CALENDAR, D, DAY, at, 'R2')), 'IES_ERR_STATEMENT_RUN_NOT_DUE');
  assert.equal(codeOf(() => resolveRun(CALENDAR, D, DAY, Date.parse('2026-04-27T18:29:59Z'))), 'IES_ERR_STATEMENT_RUN_NOT_DUE');
  assert.equal(codeOf(() => resolveRun(CALENDAR, D, DAY, at, 'R9')), 'IES_ERR_STATEMENT_RUN_UNKNOWN');
  assert.equal(codeOf(() => resolveRun(undefined, D, DAY, at)), 'IES_ERR_STATEMENT_RUN_UNKNOWN');
  // A calendar that allows early runs cuts an early run at the moment it is asked for.
  const early = resolveRun({ ...CALENDAR, allowEarlyRuns: true }, D, DAY, at, 'R2');
  assert.deepEqual([early.run.name, early.cutoffMs, early.early], ['R2', at, true]);
});

test('a calendar is validated with the pack: names, increasing cut-offs, known policies', () => {
  assert.ok(validatePolicyPack(PACK).ok);
  assert.deepEqual(calendarProblems({ runs: [{ name: 'initial', cutoffMinutesAfterDayEnd: 10, missingData: 'ZERO_PENDING' }, { name: 'R1', cutoffMinutesAfterDayEnd: 10, missingData: 'GUESS' }], early: true }).map((p) => p.path), [
    '$.calendar.early', '$.calendar.runs[0].name', '$.calendar.runs[1].cutoffMinutesAfterDayEnd', '$.calendar.runs[1].missingData',
  ]);
  const bad = validatePolicyPack({ ...PACK, calendar: { runs: [] } });
  assert.ok(!bad.ok && bad.problems[0]!.path === '$.calendar.runs');
});

test('missing-data treatments: complete finals settle; ZERO_PENDING settles on zero for a missing read; EXCLUDE_TRADE leaves the trade out', () => {
  assert.equal(missingDataTreatment('ZERO_PENDING', TRADE, ARRIVED).kind, 'SETTLE');
  const zero = missingDataTreatment('ZERO_PENDING', TRADE, MISSING);
  assert.ok(zero.kind === 'SETTLE_MARKED' && zero.intervals === MISSING.intervals && zero.pendingReason === 'READS_INCOMPLETE');
  const none = missingDataTreatment('ZERO_PENDING', TRADE, undefined);
  assert.ok(none.kind === 'SETTLE_MARKED' && none.pendingReason === 'AWAITING_ALLOCATION');
  assert.deepEqual(none.intervals.map((i) => [i.sellerWh, i.buyerWh, i.finalWh, i.sellerShortfallWh, i.buyerShortfallWh]), [[0, 0, 0, 4000, 4000]]);
  assert.deepEqual(missingDataTreatment('EXCLUDE_TRADE', TRADE, MISSING), { kind: 'EXCLUDE', policy: 'EXCLUDE_TRADE', pendingReason: 'READS_INCOMPLETE' });
});

test('INITIAL under ZERO_PENDING: 3000 Wh settled, every line of the trade marked, the shortfall held at rate 0, the gap stated', () => {
  const initial = buildStatement({ discomId: D, scope: { kind: 'DAY', day: DAY }, trades: [RECORD], finals: [MISSING], run: run('INITIAL', 'ZERO_PENDING') }, PACK);
  const c = initial.content;
  assert.equal(c.id, `${D}:${DAY}:INITIAL`);
  assert.equal(c.id, statementId(D, c.scope, c.version, 'INITIAL'));
  assert.deepEqual([c.version, c.revises, c.complete], [0, null, false]);
  assert.deepEqual(c.run, { name: 'INITIAL', cutoffMs: Date.parse('2026-04-27T18:30:00Z'), missingData: 'ZERO_PENDING' });
  assert.deepEqual(rows(c), [
    ['P2P_ENERGY', 'B-1', 3000, 600, 1800, 'ZERO_PENDING'], // B-1 pays the DISCOM 3000 × 600 / 1000
    ['P2P_ENERGY', 'S-1', 3000, 600, 1800, 'ZERO_PENDING'], // the DISCOM pays S-1
    ['SELLER_SHORTFALL', 'S-1', 1000, 0, 0, 'ZERO_PENDING'], // 1000 Wh short only for want of a read: held, not charged
    ['TRANSACTION_CHARGE', 'B-1', 3000, 20, 60, 'ZERO_PENDING'],
    ['TRANSACTION_CHARGE', 'S-1', 3000, 20, 60, 'ZERO_PENDING'],
  ].sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b))));
  assert.deepEqual(c.pending, [{ reference: 'T/c', reason: 'READS_INCOMPLETE' }]);
  assert.deepEqual(c.totals, { receivablePaise: 1800 + 60 + 60, payablePaise: 1800, netPaise: 120 });
  // Without a run the same inputs charge the shortfall (1000 × 800 / 1000 = 800) and mark nothing.
  const plain = buildStatement({ discomId: D, scope: { kind: 'DAY', day: DAY }, trades: [RECORD], finals: [MISSING] }, PACK);
  assert.ok(plain.content.lines.some((l) => l.kind === 'SELLER_SHORTFALL' && l.amountPaise === 800 && l.missingData === undefined));
  assert.equal(plain.content.run, undefined);
});

test('EXCLUDE_TRADE: no lines, the trade excluded for missing data and pending; no final at all under ZERO_PENDING: both shortfalls recorded at zero, nothing else', () => {
  const c = buildStatement({ discomId: D, scope: { kind: 'DAY', day: DAY }, trades: [RECORD], finals: [MISSING], run: run('R2', 'EXCLUDE_TRADE') }, PACK).content;
  assert.deepEqual([c.lines.length, c.excluded, c.pending, c.totals.netPaise], [0, [{ reference: 'T/c', reason: 'MISSING_DATA' }], [{ reference: 'T/c', reason: 'READS_INCOMPLETE' }], 0]);
  const none = buildStatement({ discomId: D, scope: { kind: 'DAY', day: DAY }, trades: [RECORD], finals: [], run: run('INITIAL', 'ZERO_PENDING') }, PACK).content;
  assert.deepEqual(rows(none), [['BUYER_SHORTFALL', 'B-1', 4000, 0, 0, 'ZERO_PENDING'], ['SELLER_SHORTFALL', 'S-1', 4000, 0, 0, 'ZERO_PENDING']]);
  assert.deepEqual(none.pending, [{ reference: 'T/c', reason: 'AWAITING_ALLOCATION' }]);
});

test('runs are reproducible, and R1 after the late read is the next version revising INITIAL; the diff shows exactly that change as LATE_READ', () => {
  const inputs = { discomId: D, scope: { kind: 'DAY' as const, day: DAY }, trades: [RECORD], finals: [MISSING], run: run('INITIAL', 'ZERO_PENDING') };
  const initial = buildStatement(inputs, PACK);
  assert.equal(buildStatement({ ...inputs, trades: [{ ...RECORD }], finals: [{ ...MISSING }] }, PACK).json, initial.json, 'same inputs, same bytes');
  const r1 = buildStatement({ ...inputs, finals: [ARRIVED], run: run('R1', 'ZERO_PENDING'), previous: initial }, PACK);
  assert.deepEqual([r1.content.id, r1.content.version, r1.content.revises, r1.content.complete, r1.content.pending], [`${D}:${DAY}:R1`, 1, { id: initial.content.id, sha256: initial.sha256 }, true, []]);
  const diff = statementDiff(initial.content, r1.content);
  assert.deepEqual(diff.from, { id: `${D}:${DAY}:INITIAL`, run: 'INITIAL' });
  assert.deepEqual(diff.lines.map((l) => [l.change, l.reason, l.kind, l.meterId, l.before?.quantityWh ?? null, l.after?.quantityWh ?? null, l.before?.amountPaise ?? null, l.after?.amountPaise ?? null]), [
    ['CHANGED', 'LATE_READ', 'P2P_ENERGY', 'B-1', 3000, 4000, 1800, 2400],
    ['CHANGED', 'LATE_READ', 'P2P_ENERGY', 'S-1', 3000, 4000, 1800, 2400],
    ['REMOVED', 'LATE_READ', 'SELLER_SHORTFALL', 'S-1', 1000, null, 0, null],
    ['CHANGED', 'LATE_READ', 'TRANSACTION_CHARGE', 'B-1', 3000, 4000, 60, 80],
    ['CHANGED', 'LATE_READ', 'TRANSACTION_CHARGE', 'S-1', 3000, 4000, 60, 80],
  ]);
  assert.deepEqual(diff.pending, { resolved: ['T/c'], opened: [] });
  assert.deepEqual(diff.netPositions, [{ counterparty: 'meter:B-1', netPaiseDelta: 620 }, { counterparty: 'meter:S-1', netPaiseDelta: -580 }]);
});

test('diff reasons: a revised read between complete runs is REVISED_READ; a policy change while still pending is POLICY', () => {
  const scope = { kind: 'DAY' as const, day: DAY };
  const r1 = buildStatement({ discomId: D, scope, trades: [RECORD], finals: [ARRIVED], run: run('R1', 'ZERO_PENDING') }, PACK);
  const r2 = buildStatement({ discomId: D, scope, trades: [RECORD], finals: [final(3600, 'COMPLETED')], run: run('R2', 'EXCLUDE_TRADE'), previous: r1 }, PACK);
  const revised = statementDiff(r1.content, r2.content).lines;
  assert.ok(revised.every((l) => l.reason === 'REVISED_READ'));
  // The seller now delivered 400 Wh short: 400 × 800 / 1000 = 320 paise.
  assert.deepEqual(revised.filter((l) => l.change === 'ADDED').map((l) => [l.kind, l.after!.quantityWh, l.after!.amountPaise]), [['SELLER_SHORTFALL', 400, 320]]);
  const excluded = buildStatement({ discomId: D, scope, trades: [RECORD], finals: [MISSING], run: run('INITIAL', 'EXCLUDE_TRADE') }, PACK);
  const zero = buildStatement({ discomId: D, scope, trades: [RECORD], finals: [MISSING], run: run('R1', 'ZERO_PENDING'), previous: excluded }, PACK);
  const policy = statementDiff(excluded.content, zero.content);
  assert.deepEqual([...new Set(policy.lines.map((l) => `${l.change}/${l.reason}`))], ['ADDED/POLICY']);
  assert.equal(policy.lines.length, 5);
});

test('INITIAL under ESTIMATE: the missing 1000 Wh block of S-1 estimated at 800 Wh (its same block the day before), 3800 Wh settled, lines marked ESTIMATE, shortfall held', () => {
  // The run's allocation with the estimate (run-estimates.ts): seller side 3000 + 800 = 3800 Wh.
  const estimate = final(3800, 'INCOMPLETE');
  const treated = missingDataTreatment('ESTIMATE', TRADE, MISSING, estimate);
  assert.ok(treated.kind === 'SETTLE_MARKED' && treated.policy === 'ESTIMATE' && treated.intervals === estimate.intervals);
  // No estimate to be had (no prior read): zero-and-pending, marked so.
  const fallback = missingDataTreatment('ESTIMATE', TRADE, MISSING);
  assert.ok(fallback.kind === 'SETTLE_MARKED' && fallback.policy === 'ZERO_PENDING' && fallback.intervals === MISSING.intervals);
  assert.equal(missingDataTreatment('ESTIMATE', TRADE, ARRIVED, estimate).kind, 'SETTLE');

  const c = buildStatement({ discomId: D, scope: { kind: 'DAY', day: DAY }, trades: [RECORD], finals: [MISSING], estimates: [estimate], run: run('INITIAL', 'ESTIMATE') }, PACK).content;
  assert.deepEqual(rows(c), [
    ['P2P_ENERGY', 'B-1', 3800, 600, 2280, 'ESTIMATE'], // 3800 × 600 / 1000
    ['P2P_ENERGY', 'S-1', 3800, 600, 2280, 'ESTIMATE'],
    ['SELLER_SHORTFALL', 'S-1', 200, 0, 0, 'ESTIMATE'], // 4000 − 3800, held: nobody is charged on an estimate
    ['TRANSACTION_CHARGE', 'B-1', 3800, 20, 76, 'ESTIMATE'], // 3800 × 20 / 1000
    ['TRANSACTION_CHARGE', 'S-1', 3800, 20, 76, 'ESTIMATE'],
  ].sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b))));
  assert.deepEqual(c.pending, [{ reference: 'T/c', reason: 'READS_INCOMPLETE' }]);
  assert.deepEqual(c.totals, { receivablePaise: 2280 + 76 + 76, payablePaise: 2280, netPaise: 152 });
  // The read arrives (4000 Wh): R1 settles on it; the diff from the estimate is a LATE_READ change.
  const r1 = buildStatement({ discomId: D, scope: { kind: 'DAY', day: DAY }, trades: [RECORD], finals: [ARRIVED], run: run('R1', 'ZERO_PENDING'), previous: seal(c) }, PACK).content;
  const diff = statementDiff(c, r1);
  assert.ok(diff.lines.length > 0 && diff.lines.every((l) => l.reason === 'LATE_READ'));
});

test('R1 after the late read, from INITIAL under EXCLUDE_TRADE and under ESTIMATE: the diff is exactly that change, LATE_READ', () => {
  const scope = { kind: 'DAY' as const, day: DAY };
  const changes = (from: ReturnType<typeof buildStatement>, to: ReturnType<typeof buildStatement>) =>
    statementDiff(from.content, to.content).lines.map((l) => [l.change, l.reason, l.kind, l.meterId, l.before?.quantityWh ?? null, l.after?.quantityWh ?? null, l.before?.amountPaise ?? null, l.after?.amountPaise ?? null]);
  // EXCLUDE_TRADE left the trade out: R1 adds its lines, 4000 Wh at 600 paise/kWh = 2400 paise each way, charges 4000 × 20 / 1000 = 80.
  const excluded = buildStatement({ discomId: D, scope, trades: [RECORD], finals: [MISSING], run: run('INITIAL', 'EXCLUDE_TRADE') }, PACK);
  const afterExcluded = buildStatement({ discomId: D, scope, trades: [RECORD], finals: [ARRIVED], run: run('R1', 'ZERO_PENDING'), previous: excluded }, PACK);
  assert.deepEqual(changes(excluded, afterExcluded), [
    ['ADDED', 'LATE_READ', 'P2P_ENERGY', 'B-1', null, 4000, null, 2400],
    ['ADDED', 'LATE_READ', 'P2P_ENERGY', 'S-1', null, 4000, null, 2400],
    ['ADDED', 'LATE_READ', 'TRANSACTION_CHARGE', 'B-1', null, 4000, null, 80],
    ['ADDED', 'LATE_READ', 'TRANSACTION_CHARGE', 'S-1', null, 4000, null, 80],
  ]);
  assert.deepEqual([afterExcluded.content.excluded, afterExcluded.content.pending], [[], []]);
  // ESTIMATE settled 3800 Wh (2280 paise each way, charges 76, a 200 Wh shortfall held at 0): R1 settles the 4000 read.
  const estimated = buildStatement({ discomId: D, scope, trades: [RECORD], finals: [MISSING], estimates: [final(3800, 'INCOMPLETE')], run: run('INITIAL', 'ESTIMATE') }, PACK);
  const afterEstimate = buildStatement({ discomId: D, scope, trades: [RECORD], finals: [ARRIVED], run: run('R1', 'ZERO_PENDING'), previous: estimated }, PACK);
  assert.deepEqual(changes(estimated, afterEstimate), [
    ['CHANGED', 'LATE_READ', 'P2P_ENERGY', 'B-1', 3800, 4000, 2280, 2400],
    ['CHANGED', 'LATE_READ', 'P2P_ENERGY', 'S-1', 3800, 4000, 2280, 2400],
    ['REMOVED', 'LATE_READ', 'SELLER_SHORTFALL', 'S-1', 200, null, 0, null],
    ['CHANGED', 'LATE_READ', 'TRANSACTION_CHARGE', 'B-1', 3800, 4000, 76, 80],
    ['CHANGED', 'LATE_READ', 'TRANSACTION_CHARGE', 'S-1', 3800, 4000, 76, 80],
  ]);
  assert.ok(afterEstimate.content.lines.every((l) => l.missingData === undefined), 'nothing marked once the read is in');
});
