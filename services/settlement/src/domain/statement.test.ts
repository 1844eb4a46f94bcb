// Hand-worked settlement statements. Day 2026-04-26 (IST); slot 0 = 10:00–11:00 IST
// (04:30Z), slot 1 = 11:00–12:00 IST. Amount = Wh × paise/kWh / 1000, half to even.
// Policies: BRPL-DL / TPDDL-DL pilot packs (transaction charge 21 + 21 paise/kWh, no
// wheeling, shortfalls waived) and the illustrative pack re-labelled for BRPL-DL (wheeling
// 35 buyer / 15 seller, transaction 21 / 21, seller shortfall 120 % of the reference rate,
// buyer shortfall 400 paise/kWh).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { allocateSide, reallocate, type ReadSource, type SideAllocation } from './allocation.js';
import { combineSides, type FinalAllocation } from './final-allocation.js';
import { SettlementError } from './codes.js';
import type { PolicyPack } from './policy-pack.js';
import { buildStatement, type StatementInputs } from './statement.js';
import { checkInterDiscomAgreement, checkZeroSum } from '@ies/verify';
import type { BuiltStatement, StatementContent } from '@ies/verify';
import { diffStatements } from './statement-revisions.js';
import { renderCsv } from './statement-csv.js';
import { openStatement, refreshDraft } from './statement-lifecycle.js';
import type { TradeRecord } from './trade.js';
import { blocks, cp, loadPolicy, reads, record, trade } from './test-support.test.js';

const DAY = { kind: 'DAY' as const, day: '2026-04-26' };
const T0 = '2026-04-26T04:30:00Z';
const T1 = '2026-04-26T05:30:00Z';
const PILOT = loadPolicy('BRPL-DL.v1.json');
const TPDDL = loadPolicy('TPDDL-DL.v1.json');
const FULL: PolicyPack = { ...loadPolicy('EXAMPLE-DISCOM.v1.json'), discomId: 'BRPL-DL', policyId: 'BRPL-DL.full-example' };

/** Both sides of every live trade, each DISCOM from its own reads, met with combineSides. */
function settle(records: TradeRecord[], readsOf: Record<string, ReadSource>): FinalAllocation[] {
  const sides: SideAllocation[] = Object.entries(readsOf).flatMap(([discomId, r]) => [
    ...allocateSide({ discomId, side: 'SELLER', trades: records, reads: r }),
    ...allocateSide({ discomId, side: 'BUYER', trades: records, reads: r }),
  ]);
  return records.filter((r) => r.state !== 'CANCELLED').map((r) => combineSides(r.trade, sides.find((s) => s.tradeId === r.trade.tradeId && s.side === 'SELLER')!, sides.find((s) => s.tradeId === r.trade.tradeId && s.side === 'BUYER')!));
}

/** Lines as compact tuples: [kind, reference, payer, payee, Wh, rate, paise]. */
const rows = (c: StatementContent) => c.lines.map((l) => [l.kind, l.reference, l.payer, l.payee, l.quantityWh, l.ratePaisePerKwh, l.amountPaise]);
const net = (c: StatementContent) => Object.fromEntries(c.netPositions.map((p) => [p.counterparty, p.netPaise]));

test('several trades on one meter (pro-rata), pilot policy', () => {
  // S1 sold 4/3/3 kWh to B1/B2/B3 at ₹6.00/6.50/7.00 and exported 7001 Wh → finals 2801/2100/2100.
  //  t1: 2801 Wh × 600 = 1680.6 → 1681 paise; transaction 2801 × 21 = 58.821 → 59 each side;
  //      seller shortfall 4000 − 2801 = 1199 Wh, waived (kept with rate 0).
  //  t2: 2100 × 650 = 1365; transaction 2100 × 21 = 44.1 → 44; shortfall 900.
  //  t3: 2100 × 700 = 1470; transaction 44; shortfall 900.
  const records = [
    trade('t1/c', ['S1', 'BRPL-DL'], ['B1', 'BRPL-DL'], [[T0, 1, 4000, 600]]),
    trade('t2/c', ['S1', 'BRPL-DL'], ['B2', 'BRPL-DL'], [[T0, 1, 3000, 650]]),
    trade('t3/c', ['S1', 'BRPL-DL'], ['B3', 'BRPL-DL'], [[T0, 1, 3000, 700]]),
  ].map((t) => record(t));
  const r = reads(T0, { 'S1/EXPORT': [2000, 2000, 2000, 1001], 'B1/IMPORT': blocks(4, 5000), 'B2/IMPORT': blocks(4, 5000), 'B3/IMPORT': blocks(4, 5000) });
  const s = buildStatement({ discomId: 'BRPL-DL', scope: DAY, trades: records, finals: settle(records, { 'BRPL-DL': r }) }, PILOT).content;
  const D = 'discom:BRPL-DL';
  assert.deepEqual(rows(s), [
    ['P2P_ENERGY', 't1/c', 'meter:B1', D, 2801, 600, 1681],
    ['P2P_ENERGY', 't1/c', D, 'meter:S1', 2801, 600, 1681],
    ['SELLER_SHORTFALL', 't1/c', 'meter:S1', D, 1199, 0, 0],
    ['TRANSACTION_CHARGE', 't1/c', 'meter:B1', D, 2801, 21, 59],
    ['TRANSACTION_CHARGE', 't1/c', 'meter:S1', D, 2801, 21, 59],
    ['P2P_ENERGY', 't2/c', 'meter:B2', D, 2100, 650, 1365],
    ['P2P_ENERGY', 't2/c', D, 'meter:S1', 2100, 650, 1365],
    ['SELLER_SHORTFALL', 't2/c', 'meter:S1', D, 900, 0, 0],
    ['TRANSACTION_CHARGE', 't2/c', 'meter:B2', D, 2100, 21, 44],
    ['TRANSACTION_CHARGE', 't2/c', 'meter:S1', D, 2100, 21, 44],
    ['P2P_ENERGY', 't3/c', 'meter:B3', D, 2100, 700, 1470],
    ['P2P_ENERGY', 't3/c', D, 'meter:S1', 2100, 700, 1470],
    ['SELLER_SHORTFALL', 't3/c', 'meter:S1', D, 900, 0, 0],
    ['TRANSACTION_CHARGE', 't3/c', 'meter:B3', D, 2100, 21, 44],
    ['TRANSACTION_CHARGE', 't3/c', 'meter:S1', D, 2100, 21, 44],
  ]);
  // B1 1681 + 59; B2 1365 + 44; B3 1470 + 44; S1 receives 4516 and pays 147 in charges.
  assert.deepEqual(net(s), { 'meter:B1': 1740, 'meter:B2': 1409, 'meter:B3': 1514, 'meter:S1': -4369 });
  // The DISCOM keeps only its transaction charges: 59 + 59 + 4 × 44 = 294.
  assert.deepEqual(s.totals, { receivablePaise: 4810, payablePaise: 4516, netPaise: 294 });
  assert.deepEqual([s.id, s.version, s.revises, s.complete], ['BRPL-DL:2026-04-26:R0', 0, null, true]);
  assert.deepEqual(checkZeroSum(s), { ok: true, problems: [] });
});

test('seller under-delivery, full policy: the seller pays for its shortfall at 120 % of the reference rate', () => {
  // 10 kWh @ ₹6; seller exported 8 kWh, buyer took 15 kWh → final 8000, seller shortfall 2000.
  //  P2P 8000 × 600 = 4800; wheeling buyer 8000 × 35 = 280, seller 8000 × 15 = 120;
  //  transaction 8000 × 21 = 168 each; shortfall rate 1000 × 120 % = 1200 → 2000 × 1200 = 2400.
  const records = [record(trade('tx/c', ['S1', 'BRPL-DL'], ['B1', 'BRPL-DL'], [[T0, 1, 10_000, 600]]))];
  const finals = settle(records, { 'BRPL-DL': reads(T0, { 'S1/EXPORT': blocks(4, 2000), 'B1/IMPORT': blocks(4, 3750) }) });
  const s = buildStatement({ discomId: 'BRPL-DL', scope: DAY, trades: records, finals, referenceRatePaisePerKwh: 1000 }, FULL).content;
  const D = 'discom:BRPL-DL';
  assert.deepEqual(rows(s), [
    ['P2P_ENERGY', 'tx/c', 'meter:B1', D, 8000, 600, 4800],
    ['P2P_ENERGY', 'tx/c', D, 'meter:S1', 8000, 600, 4800],
    ['SELLER_SHORTFALL', 'tx/c', 'meter:S1', D, 2000, 1200, 2400],
    ['WHEELING', 'tx/c', 'meter:B1', D, 8000, 35, 280],
    ['WHEELING', 'tx/c', 'meter:S1', D, 8000, 15, 120],
    ['TRANSACTION_CHARGE', 'tx/c', 'meter:B1', D, 8000, 21, 168],
    ['TRANSACTION_CHARGE', 'tx/c', 'meter:S1', D, 8000, 21, 168],
  ]);
  // Buyer 4800 + 280 + 168 = 5248; seller −4800 + 120 + 168 + 2400 = −2112; DISCOM keeps 3136.
  assert.deepEqual([net(s), s.totals.netPaise], [{ 'meter:B1': 5248, 'meter:S1': -2112 }, 3136]);
  assert.throws(() => buildStatement({ discomId: 'BRPL-DL', scope: DAY, trades: records, finals }, FULL), /give referenceRatePaisePerKwh/);
});

test('buyer under-consumption, full policy: half-to-even on the .5 paise', () => {
  // 10 kWh @ ₹6; seller exported 12 kWh, buyer took 7.5 kWh → final 7500, buyer shortfall 2500.
  //  P2P 7500 × 600 = 4500; wheeling buyer 7500 × 35 = 262.5 → 262 (even), seller 7500 × 15
  //  = 112.5 → 112; transaction 7500 × 21 = 157.5 → 158 each; buyer shortfall 2500 × 400 = 1000.
  const records = [record(trade('tx/c', ['S1', 'BRPL-DL'], ['B1', 'BRPL-DL'], [[T0, 1, 10_000, 600]]))];
  const finals = settle(records, { 'BRPL-DL': reads(T0, { 'S1/EXPORT': blocks(4, 3000), 'B1/IMPORT': [2000, 2000, 2000, 1500] }) });
  const s = buildStatement({ discomId: 'BRPL-DL', scope: DAY, trades: records, finals, referenceRatePaisePerKwh: 1000 }, FULL).content;
  assert.deepEqual(s.lines.map((l) => [l.kind, l.meterId, l.amountPaise]), [
    ['P2P_ENERGY', 'B1', 4500], ['P2P_ENERGY', 'S1', 4500], ['BUYER_SHORTFALL', 'B1', 1000],
    ['WHEELING', 'B1', 262], ['WHEELING', 'S1', 112], ['TRANSACTION_CHARGE', 'B1', 158], ['TRANSACTION_CHARGE', 'S1', 158],
  ]);
  assert.deepEqual(net(s), { 'meter:B1': 4500 + 1000 + 262 + 158, 'meter:S1': -4500 + 112 + 158 });
});

test('inter-DISCOM trade: each DISCOM’s statement has its own side, and the two agree', () => {
  // S9 (BRPL-DL) → B9 (TPDDL-DL), 5 kWh and 6 kWh @ ₹8; finals 5000 and 4400 Wh (allocation test).
  //  slot 0: 5000 × 800 = 4000 paise, transaction 5000 × 21 = 105; slot 1: 4400 × 800 = 3520,
  //  transaction 4400 × 21 = 92.4 → 92; seller shortfall slot 1: 1600 Wh (waived).
  const records = [record(trade('x-9/c', ['S9', 'BRPL-DL'], ['B9', 'TPDDL-DL'], [[T0, 1, 5000, 800], [T1, 1, 6000, 800]]))];
  const finals = settle(records, {
    'BRPL-DL': reads(T0, { 'S9/EXPORT': [1300, 1300, 1300, 1300, 1100, 1100, 1100, 1100] }, [cp('notary.brpl', 7)]),
    'TPDDL-DL': reads(T0, { 'B9/IMPORT': [1500, 1500, 1500, 1500, 1600, 1600, 1600, 1600] }, [cp('notary.tpddl', 3)]),
  });
  const brpl = buildStatement({ discomId: 'BRPL-DL', scope: DAY, trades: records, finals }, PILOT).content;
  const tpddl = buildStatement({ discomId: 'TPDDL-DL', scope: DAY, trades: records, finals }, TPDDL).content;
  assert.deepEqual(rows(brpl), [
    ['P2P_ENERGY', 'x-9/c', 'discom:TPDDL-DL', 'discom:BRPL-DL', 5000, 800, 4000],
    ['P2P_ENERGY', 'x-9/c', 'discom:BRPL-DL', 'meter:S9', 5000, 800, 4000],
    ['TRANSACTION_CHARGE', 'x-9/c', 'meter:S9', 'discom:BRPL-DL', 5000, 21, 105],
    ['P2P_ENERGY', 'x-9/c', 'discom:TPDDL-DL', 'discom:BRPL-DL', 4400, 800, 3520],
    ['P2P_ENERGY', 'x-9/c', 'discom:BRPL-DL', 'meter:S9', 4400, 800, 3520],
    ['SELLER_SHORTFALL', 'x-9/c', 'meter:S9', 'discom:BRPL-DL', 1600, 0, 0],
    ['TRANSACTION_CHARGE', 'x-9/c', 'meter:S9', 'discom:BRPL-DL', 4400, 21, 92],
  ]);
  assert.deepEqual(rows(tpddl), [
    ['P2P_ENERGY', 'x-9/c', 'meter:B9', 'discom:TPDDL-DL', 5000, 800, 4000],
    ['P2P_ENERGY', 'x-9/c', 'discom:TPDDL-DL', 'discom:BRPL-DL', 5000, 800, 4000],
    ['TRANSACTION_CHARGE', 'x-9/c', 'meter:B9', 'discom:TPDDL-DL', 5000, 21, 105],
    ['P2P_ENERGY', 'x-9/c', 'meter:B9', 'discom:TPDDL-DL', 4400, 800, 3520],
    ['P2P_ENERGY', 'x-9/c', 'discom:TPDDL-DL', 'discom:BRPL-DL', 4400, 800, 3520],
    ['TRANSACTION_CHARGE', 'x-9/c', 'meter:B9', 'discom:TPDDL-DL', 4400, 21, 92],
  ]);
  // TPDDL owes BRPL 4000 + 3520 = 7520 paise; each side states it, with opposite signs.
  assert.deepEqual([brpl.interDiscomPositions, tpddl.interDiscomPositions], [
    [{ counterparty: 'discom:TPDDL-DL', receivablePaise: 7520, payablePaise: 0, netPaise: 7520 }],
    [{ counterparty: 'discom:BRPL-DL', receivablePaise: 0, payablePaise: 7520, netPaise: -7520 }],
  ]);
  assert.deepEqual(checkInterDiscomAgreement(brpl, tpddl), { ok: true, problems: [] });
  assert.deepEqual(brpl.evidence.map((c) => c.origin), ['notary.brpl', 'notary.tpddl']);
  // A disagreement (TPDDL states 1 paisa less on one line) is caught.
  const skewed = { ...tpddl, lines: tpddl.lines.map((l, i) => (i === 1 ? { ...l, amountPaise: 3999 } : l)) };
  const check = checkInterDiscomAgreement(brpl, skewed);
  assert.equal(check.ok, false);
  assert.match(check.problems.join('\n'), /1 line\(s\) only in BRPL-DL:2026-04-26:R0, 1 only in TPDDL-DL:2026-04-26:R0/);
  assert.equal(checkZeroSum(skewed).ok, false);
});

test('a revised read produces R1 revising R0; the same inputs again produce no R2', () => {
  // R0: seller exported 2000 × 4 = 8000 Wh of 10000 → final 8000: P2P 4800, transaction 168 + 168.
  // The head-end revises block 3 to 2500 Wh: seller 8500 (allocation v2) → P2P 8500 × 600 = 5100,
  // transaction 8500 × 21 = 178.5 → 178 (even) each side; shortfall 1500 (waived).
  const records = [record(trade('tx/c', ['S1', 'BRPL-DL'], ['B1', 'BRPL-DL'], [[T0, 1, 10_000, 600]]))];
  const buyerReads = { 'B1/IMPORT': blocks(4, 4000) };
  const r0reads = reads(T0, { 'S1/EXPORT': blocks(4, 2000), ...buyerReads }, [cp('n', 10)]);
  const r1reads = reads(T0, { 'S1/EXPORT': [2000, 2000, 2500, 2000], ...buyerReads }, [cp('n', 11)]);
  const r0 = buildStatement({ discomId: 'BRPL-DL', scope: DAY, trades: records, finals: settle(records, { 'BRPL-DL': r0reads }) }, PILOT);
  const sellerV1 = allocateSide({ discomId: 'BRPL-DL', side: 'SELLER', trades: records, reads: r0reads });
  const sellerV2 = reallocate(sellerV1, { discomId: 'BRPL-DL', side: 'SELLER', trades: records, reads: r1reads });
  const buyer = reallocate(allocateSide({ discomId: 'BRPL-DL', side: 'BUYER', trades: records, reads: r0reads }), { discomId: 'BRPL-DL', side: 'BUYER', trades: records, reads: r1reads });
  assert.deepEqual([sellerV2.changed, buyer.changed, sellerV2.allocations[0]!.version, buyer.allocations[0]!.version], [['tx/c'], [], 2, 1]);
  const final = combineSides(records[0]!.trade, sellerV2.allocations[0]!, buyer.allocations[0]!);
  const r1 = buildStatement({ discomId: 'BRPL-DL', scope: DAY, trades: records, finals: [final], previous: r0 }, PILOT);
  assert.deepEqual([r1.content.id, r1.content.version, r1.content.revises], ['BRPL-DL:2026-04-26:R1', 1, { id: 'BRPL-DL:2026-04-26:R0', sha256: r0.sha256 }]);
  assert.deepEqual(rows(r1.content).map((l) => l[6]), [5100, 5100, 0, 178, 178]);
  // B1 pays 5100 + 178 instead of 4800 + 168 (+310); S1 nets −4922 instead of −4632 (−290).
  assert.deepEqual(diffStatements(r0.content, r1.content), [{ counterparty: 'meter:B1', netPaiseDelta: 310 }, { counterparty: 'meter:S1', netPaiseDelta: -290 }]);
  // R1's evidence: the buyer side's unchanged allocation keeps checkpoint 10, the seller's v2 cites 11.
  assert.deepEqual(r1.content.evidence.map((c) => c.size), [10, 11]);
  const again = buildStatement({ discomId: 'BRPL-DL', scope: DAY, trades: records, finals: [final], previous: r1 }, PILOT);
  assert.equal(again, r1);
  assert.throws(() => buildStatement({ discomId: 'BRPL-DL', scope: { kind: 'DAY', day: '2026-04-27' }, trades: records, finals: [final], previous: r1 }, PILOT), (e: unknown) => e instanceof SettlementError && e.code === 'IES_ERR_STATEMENT_REVISION_INVALID');
});

test('a missing read keeps the statement a DRAFT, rebuilt in place (still R0) when the read arrives', () => {
  const records = [record(trade('tx/c', ['S1', 'BRPL-DL'], ['B1', 'BRPL-DL'], [[T0, 1, 10_000, 600]]))];
  const draft = buildStatement({ discomId: 'BRPL-DL', scope: DAY, trades: records, finals: settle(records, { 'BRPL-DL': reads(T0, { 'S1/EXPORT': [2000, 2000, -1, 2000], 'B1/IMPORT': blocks(4, 4000) }) }) }, PILOT);
  assert.deepEqual([draft.content.complete, draft.content.pending], [false, [{ reference: 'tx/c', reason: 'READS_INCOMPLETE' }]]);
  const rec = openStatement(draft);
  assert.equal(rec.status, 'DRAFT');
  const done = buildStatement({ discomId: 'BRPL-DL', scope: DAY, trades: records, finals: settle(records, { 'BRPL-DL': reads(T0, { 'S1/EXPORT': blocks(4, 2000), 'B1/IMPORT': blocks(4, 4000) }) }), previous: draft }, PILOT);
  assert.deepEqual([done.content.id, done.content.revises, done.content.complete], ['BRPL-DL:2026-04-26:R0', null, true]);
  assert.deepEqual(refreshDraft(rec, done), { statementId: 'BRPL-DL:2026-04-26:R0', sha256: done.sha256, status: 'COMPUTED' });
});

test('a cancelled trade is listed as excluded and yields no lines; an unallocated one is pending', () => {
  // S1 sold t1 (6 kWh) and t2 (4 kWh, cancelled) and exported 6 kWh: t1 settles 6000 Wh in full.
  const t1 = trade('t1/c', ['S1', 'BRPL-DL'], ['B1', 'BRPL-DL'], [[T0, 1, 6000, 600]]);
  const t2 = trade('t2/c', ['S1', 'BRPL-DL'], ['B2', 'BRPL-DL'], [[T0, 1, 4000, 600]]);
  const t3 = trade('t3/c', ['S7', 'BRPL-DL'], ['B7', 'TPDDL-DL'], [[T0, 1, 4000, 600]]);
  const records = [record(t1), record(t2, 'CANCELLED')];
  const finals = settle(records, { 'BRPL-DL': reads(T0, { 'S1/EXPORT': blocks(4, 1500), 'B1/IMPORT': blocks(4, 2000), 'B2/IMPORT': blocks(4, 2000) }) });
  const s = buildStatement({ discomId: 'BRPL-DL', scope: DAY, trades: [...records, record(t3)], finals }, PILOT).content;
  assert.deepEqual(new Set(s.lines.map((l) => l.reference)), new Set(['t1/c']));
  assert.deepEqual(s.lines.filter((l) => l.kind === 'P2P_ENERGY').map((l) => l.quantityWh), [6000, 6000]);
  assert.deepEqual([s.excluded, s.pending, s.complete], [[{ reference: 't2/c', reason: 'CANCELLED' }], [{ reference: 't3/c', reason: 'AWAITING_ALLOCATION' }], false]);
});

test('DR lines: a day statement carries every event of the day, an event statement only its own', () => {
  const drLines = [
    { eventId: 'DR-7', day: '2026-04-26', aggregatorId: 'greenflex', kind: 'DR_INCENTIVE' as const, amountPaise: 12_345, quantityWh: 41_150, ratePaisePerKwh: 300 },
    { eventId: 'DR-8', day: '2026-04-26', aggregatorId: 'voltsave', kind: 'DR_PENALTY' as const, amountPaise: 2_000 },
    { eventId: 'DR-9', day: '2026-04-27', aggregatorId: 'greenflex', kind: 'DR_INCENTIVE' as const, amountPaise: 500 },
  ];
  const day = buildStatement({ discomId: 'BRPL-DL', scope: DAY, drLines }, PILOT).content;
  assert.deepEqual(rows(day), [
    ['DR_INCENTIVE', 'DR-7', 'discom:BRPL-DL', 'aggregator:greenflex', 41_150, 300, 12_345],
    ['DR_PENALTY', 'DR-8', 'aggregator:voltsave', 'discom:BRPL-DL', null, null, 2_000],
  ]);
  assert.deepEqual(net(day), { 'aggregator:greenflex': -12_345, 'aggregator:voltsave': 2_000 });
  const event = buildStatement({ discomId: 'BRPL-DL', scope: { kind: 'DR_EVENT', eventId: 'DR-9' }, drLines }, PILOT).content;
  assert.deepEqual([event.id, rows(event).length, event.totals.netPaise], ['BRPL-DL:dr:DR-9:R0', 1, -500]);
});

test('pending inputs outside P2P (a DR event not yet measured) keep the statement incomplete', () => {
  const drLines = [{ eventId: 'DR-7', day: '2026-04-26', aggregatorId: 'greenflex', kind: 'DR_INCENTIVE' as const, amountPaise: 100 }];
  const s = buildStatement({ discomId: 'BRPL-DL', scope: DAY, drLines, pending: [{ reference: 'DR-8', reason: 'DR_AWAITING_MEASUREMENT' }] }, PILOT).content;
  assert.equal(s.complete, false);
  assert.deepEqual(s.pending, [{ reference: 'DR-8', reason: 'DR_AWAITING_MEASUREMENT' }]);
  assert.equal(buildStatement({ discomId: 'BRPL-DL', scope: DAY, drLines }, PILOT).content.complete, true);
});

test('adjustments: signed inputs become lines with the reason as a note', () => {
  const s = buildStatement({ discomId: 'BRPL-DL', scope: DAY, adjustments: [{ reference: 'ADJ-1', counterparty: 'meter:B1', amountPaise: -250, reason: 'goodwill credit' }] }, PILOT).content;
  assert.deepEqual(s.lines.map((l) => [l.kind, l.payer, l.payee, l.amountPaise, l.note]), [['ADJUSTMENT', 'discom:BRPL-DL', 'meter:B1', 250, 'goodwill credit']]);
  assert.throws(() => buildStatement({ discomId: 'BRPL-DL', scope: DAY, adjustments: [{ reference: 'A', counterparty: 'discom:BRPL-DL', amountPaise: 5, reason: 'x' }] }, PILOT), /is not another party/);
});

test('inconsistent inputs are refused with a code', () => {
  const records = [record(trade('tx/c', ['S1', 'BRPL-DL'], ['B1', 'BRPL-DL'], [[T0, 1, 10_000, 600]]))];
  const finals = settle(records, { 'BRPL-DL': reads(T0, { 'S1/EXPORT': blocks(4, 2000), 'B1/IMPORT': blocks(4, 2000) }) });
  const code = (inputs: StatementInputs, policy = PILOT) => assert.throws(() => buildStatement(inputs, policy), (e: unknown) => e instanceof SettlementError && e.code === 'IES_ERR_STATEMENT_INPUT_INVALID');
  code({ discomId: 'BRPL-DL', scope: DAY, trades: [], finals });
  code({ discomId: 'BRPL-DL', scope: DAY, trades: records, finals: [...finals, ...finals] });
  code({ discomId: 'BRPL-DL', scope: DAY, trades: records, finals }, TPDDL);
  code({ discomId: 'BRPL-DL', scope: { kind: 'DAY', day: '26-04-2026' } });
  code({ discomId: 'BRPL-DL', scope: DAY, trades: records, finals: [{ ...finals[0]!, intervals: [{ ...finals[0]!.intervals[0]!, contractedWh: 9000 }] }] });
});

test('determinism: shuffled inputs give byte-identical canonical JSON and hash', () => {
  const records = [
    trade('t1/c', ['S1', 'BRPL-DL'], ['B1', 'BRPL-DL'], [[T0, 1, 4000, 600], [T1, 1, 2000, 610]]),
    trade('t2/c', ['S1', 'BRPL-DL'], ['B2', 'TPDDL-DL'], [[T0, 1, 3000, 650]]),
    trade('t3/c', ['S3', 'TPDDL-DL'], ['B1', 'BRPL-DL'], [[T0, 1, 3000, 700]]),
  ].map((t) => record(t));
  const finals = settle(records, {
    'BRPL-DL': reads(T0, { 'S1/EXPORT': [2000, 2000, 2000, 1001, 500, 500, 500, 500], 'B1/IMPORT': blocks(8, 1400) }, [cp('b', 2), cp('a', 9)]),
    'TPDDL-DL': reads(T0, { 'S3/EXPORT': blocks(4, 900), 'B2/IMPORT': blocks(4, 800) }, [cp('t', 4)]),
  });
  const drLines = [
    { eventId: 'DR-7', day: '2026-04-26', aggregatorId: 'greenflex', kind: 'DR_INCENTIVE' as const, amountPaise: 100 },
    { eventId: 'DR-7', day: '2026-04-26', aggregatorId: 'greenflex', kind: 'DR_INCENTIVE' as const, amountPaise: 90, meterId: 'B1' },
  ];
  const inputs: StatementInputs = { discomId: 'BRPL-DL', scope: DAY, trades: records, finals, drLines, referenceRatePaisePerKwh: 900, evidence: [cp('z', 1), cp('a', 9)] };
  const a = buildStatement(inputs, FULL);
  const shuffled: StatementInputs = { ...inputs, trades: [...records].reverse(), finals: [finals[1]!, finals[2]!, finals[0]!], drLines: [...drLines].reverse(), evidence: [cp('a', 9), cp('z', 1)] };
  const policyReordered = Object.fromEntries(Object.entries(FULL).reverse()) as unknown as PolicyPack;
  const b = buildStatement(shuffled, policyReordered);
  assert.equal(b.json, a.json);
  assert.equal(b.sha256, a.sha256);
  assert.deepEqual(b.bytes, a.bytes);
  assert.match(a.sha256, /^[0-9a-f]{64}$/);
  // Canonical: members sorted, no whitespace, integers only.
  assert.ok(a.json.startsWith('{"complete":true,"discomId":"BRPL-DL","evidence":[{"origin":"a","rootHash":"root-a-9","size":9},'));
  assert.deepEqual(checkZeroSum(a.content), { ok: true, problems: [] });
});

test('CSV: one row per line, RFC 4180 quoting, formula-looking text neutralised', () => {
  const records = [record(trade('tx/c', ['=HYPERLINK("x")', 'BRPL-DL'], ['B,1', 'BRPL-DL'], [[T0, 1, 10_000, 600]]))];
  const finals = settle(records, { 'BRPL-DL': reads(T0, { '=HYPERLINK("x")/EXPORT': blocks(4, 2000), 'B,1/IMPORT': blocks(4, 4000) }) });
  const built: BuiltStatement = buildStatement({ discomId: 'BRPL-DL', scope: DAY, trades: records, finals }, PILOT);
  const csv = renderCsv(built);
  const lines = csv.split('\r\n');
  assert.equal(lines[0], 'statement_id,version,line,kind,reference,interval_start,interval_end,meter_id,payer,payee,counterparty,quantity_wh,rate_paise_per_kwh,amount_paise,note');
  // Lines sort by meter id within a kind: "=…" before "B,1".
  assert.equal(lines[1], `BRPL-DL:2026-04-26:R0,0,1,P2P_ENERGY,tx/c,2026-04-26T04:30:00Z,2026-04-26T05:30:00Z,"'=HYPERLINK(""x"")",discom:BRPL-DL,"meter:=HYPERLINK(""x"")","meter:=HYPERLINK(""x"")",8000,600,4800,`);
  assert.equal(lines[2], 'BRPL-DL:2026-04-26:R0,0,2,P2P_ENERGY,tx/c,2026-04-26T04:30:00Z,2026-04-26T05:30:00Z,"B,1","meter:B,1",discom:BRPL-DL,"meter:B,1",8000,600,4800,');
  assert.equal(lines.length, built.content.lines.length + 2); // header + rows + the empty string after the final CRLF
});

test('an interval belongs to the IST day its start falls in', () => {
  // 23:00–00:00 IST on 26 April (17:30Z) and 00:00–01:00 IST on 27 April (18:30Z).
  const records = [record(trade('night/c', ['S1', 'BRPL-DL'], ['B1', 'BRPL-DL'], [['2026-04-26T17:30:00Z', 1, 1000, 500], ['2026-04-26T18:30:00Z', 1, 2000, 500]]))];
  const finals = settle(records, { 'BRPL-DL': reads('2026-04-26T17:30:00Z', { 'S1/EXPORT': blocks(8, 1000), 'B1/IMPORT': blocks(8, 1000) }) });
  const on = (day: string) => buildStatement({ discomId: 'BRPL-DL', scope: { kind: 'DAY', day }, trades: records, finals }, PILOT).content.lines.filter((l) => l.kind === 'P2P_ENERGY').map((l) => l.quantityWh);
  assert.deepEqual([on('2026-04-26'), on('2026-04-27'), on('2026-04-28')], [[1000, 1000], [2000, 2000], []]);
});
