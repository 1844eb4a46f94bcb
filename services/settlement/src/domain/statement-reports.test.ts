// The desk's reports, hand-worked on the day of statement-runs.test.ts: trade T of BRPL-DL
// (seller S-1, buyer B-1, 10:00–11:00 IST, 4000 Wh at 600 paise/kWh) and an inter-DISCOM
// trade U sold by S-2 of BRPL-DL to B-9 of TPDDL-DL (10:00–10:30, 2000 Wh at 500 paise/kWh).
// Charges 20 + 20 paise/kWh, seller shortfall 800 paise/kWh. At R1's cut-off T is settled on
// all reads with the seller at 3000 Wh (shortfall 1000 Wh: 800 paise); U is settled at 1500 Wh
// (S-2 metered 2000, B-9 1500); V (S-3 → B-3, 10:00–11:00, 1000 Wh at 600) has no final yet
// (ZERO_PENDING: 0 Wh, held). DR event E of AGG-1 offered 5000 Wh, delivered 3000 Wh.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { StatementRun } from '@ies/verify';
import type { FinalAllocation } from './final-allocation.js';
import type { PolicyPack } from './policy-pack.js';
import { buildStatement } from './statement.js';
import { pendingReport, positionsReport, reconciliationReport, reportCsv } from './statement-reports.js';
import type { NormalisedTrade, TradeRecord } from './trade.js';

const D = 'BRPL-DL';
const DAY = '2026-04-26';
const START = Date.parse('2026-04-26T04:30:00Z');
const H = 3_600_000;
const CUTOFF = Date.parse('2026-05-01T18:30:00Z');
const PACK: PolicyPack = {
  policyId: 'BRPL-DL.reports-test', discomId: D, version: 1, effectiveFrom: '2026-01-01',
  p2p: { wheeling: { buyerPaisePerKwh: 0, sellerPaisePerKwh: 0 }, transactionCharge: { buyerPaisePerKwh: 20, sellerPaisePerKwh: 20 }, sellerShortfall: { treatment: 'FIXED_RATE', ratePaisePerKwh: 800 }, buyerShortfall: { treatment: 'WAIVED' } },
};
const trade = (id: string, seller: [string, string], buyer: [string, string], endMs: number, quantityWh: number, price: number): TradeRecord => ({
  state: 'ALLOCATED', revision: 1,
  trade: {
    tradeId: id, transactionId: id, commitmentId: 'c', contractId: null, seller: { meterId: seller[0], discomId: seller[1], platformId: 'p' }, buyer: { meterId: buyer[0], discomId: buyer[1], platformId: 'p' },
    intervals: [{ startMs: START, endMs, quantityWh, pricePaisePerKwh: price }], intent: 'CONFIRM', source: { action: 'confirm', messageId: null, timestamp: null },
  } satisfies NormalisedTrade,
});
const T = trade('T/c', ['S-1', D], ['B-1', D], START + H, 4000, 600);
const U = trade('U/c', ['S-2', D], ['B-9', 'TPDDL-DL'], START + H / 2, 2000, 500);
const V = trade('V/c', ['S-3', D], ['B-3', D], START + H, 1000, 600);
const FINAL_U: FinalAllocation = {
  tradeId: 'U/c', sellerDiscomId: D, buyerDiscomId: 'TPDDL-DL', sellerVersion: 1, buyerVersion: 1, sellerStatus: 'COMPLETED', buyerStatus: 'COMPLETED', status: 'COMPLETED',
  intervals: [{ startMs: START, endMs: START + H / 2, contractedWh: 2000, sellerWh: 2000, buyerWh: 1500, finalWh: 1500, sellerShortfallWh: 0, buyerShortfallWh: 500, deviationWh: 500 }], evidence: [],
};
const FINAL_T: FinalAllocation = {
  tradeId: 'T/c', sellerDiscomId: D, buyerDiscomId: D, sellerVersion: 1, buyerVersion: 1, sellerStatus: 'COMPLETED', buyerStatus: 'COMPLETED', status: 'COMPLETED',
  intervals: [{ startMs: START, endMs: START + H, contractedWh: 4000, sellerWh: 3000, buyerWh: 4000, finalWh: 3000, sellerShortfallWh: 1000, buyerShortfallWh: 0, deviationWh: 1000 }], evidence: [],
};
const R1: StatementRun = { name: 'R1', cutoffMs: CUTOFF, missingData: 'ZERO_PENDING' };
const drLines = [{ eventId: 'E', day: DAY, aggregatorId: 'AGG-1', kind: 'DR_INCENTIVE' as const, amountPaise: 1500, quantityWh: 3000 }];
const c = buildStatement({ discomId: D, scope: { kind: 'DAY', day: DAY }, trades: [T, U, V], finals: [FINAL_T, FINAL_U], drLines, run: R1 }, PACK).content;
const inputs = { trades: [T, U, V], finals: [FINAL_T, FINAL_U], drOfferedWh: new Map([['E', 5000]]), asOfMs: CUTOFF };

test('reconciliation: contracted vs metered vs allocated per trade and per counterparty, penalties, DR offered vs delivered', () => {
  const r = reconciliationReport(c, inputs);
  assert.deepEqual(r.trades.map((t) => [t.tradeId, t.counterparty, t.role, t.status, t.contractedWh, t.sellerMeteredWh, t.buyerMeteredWh, t.allocatedWh, t.deviationWh, t.energyPaise, t.shortfallPenaltyPaise, t.chargesPaise]), [
    // T: 3000 Wh × 600 = 1800 paise; shortfall 1000 Wh × 800 = 800; charges 3000 Wh × 20 × 2 = 120.
    ['T/c', 'self', 'BOTH', 'SETTLED', 4000, 3000, 4000, 3000, 1000, 1800, 800, 120],
    // U (BRPL-DL sells): 1500 Wh × 500 = 750 paise paid to S-2; the buyer's shortfall is TPDDL-DL's; charge 1500 × 20 = 30.
    ['U/c', 'discom:TPDDL-DL', 'SELLER', 'SETTLED', 2000, 2000, 1500, 1500, 500, 750, 0, 30],
    // V: nothing known at the cut-off: no final, 0 paise, the shortfall held at rate 0.
    ['V/c', 'self', 'BOTH', 'PENDING', 1000, null, null, null, null, 0, 0, 0],
  ]);
  assert.deepEqual(r.counterparties.map((p) => [p.counterparty, p.trades, p.contractedWh, p.allocatedWh, p.deviationWh, p.shortfallPenaltyPaise]), [['discom:TPDDL-DL', 1, 2000, 1500, 500, 0], ['self', 2, 5000, 3000, 2000, 800]]);
  assert.deepEqual(r.dr, [{ eventId: 'E', aggregatorId: 'AGG-1', offeredWh: 5000, deliveredWh: 3000, shortfallWh: 0, incentivePaise: 1500, penaltyPaise: 0 }]);
  const csv = reportCsv('reconciliation', r).split('\r\n');
  assert.equal(csv[1], 'TRADE,T/c,self,BOTH,SETTLED,4000,3000,4000,3000,1000,1800,800,120');
  assert.equal(csv[6], 'DR_EVENT,E,aggregator:AGG-1,AGG-1,,5000,,,3000,0,1500,0,');
});

test('positions towards each other DISCOM, and pending items aged at the cut-off', () => {
  const p = positionsReport(c);
  assert.deepEqual(p.discoms, c.interDiscomPositions.map((x) => ({ counterparty: x.counterparty, receivablePaise: x.receivablePaise, payablePaise: x.payablePaise, netPaise: x.netPaise })));
  assert.deepEqual(p.discoms.map((x) => x.counterparty), ['discom:TPDDL-DL']);
  const pending = pendingReport(c, inputs);
  // V's interval ended 2026-04-26T05:30Z; R1 cuts off 2026-05-01T18:30Z: 5 days 13 h = 7980 min.
  assert.deepEqual(pending.items, [{ reference: 'V/c', kind: 'TRADE', reason: 'AWAITING_ALLOCATION', sinceMs: START + H, ageMinutes: 7980, excluded: false }]);
  assert.equal(reportCsv('pending', pending), 'reference,kind,reason,since,age_minutes,excluded\r\nV/c,TRADE,AWAITING_ALLOCATION,2026-04-26T05:30:00.000Z,7980,false\r\n');
});
