// A calendar run's trades as held at its cut-off (pure half of trades-at-cutoff.ts).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { NormalisedTrade, TradeRecord } from './domain/trade.js';
import { tradesAsOf, type TradeRevisionRow } from './trades-at-cutoff.js';

const CUTOFF = 1_000_000;
const trade = (id: string, wh: number): NormalisedTrade => ({
  tradeId: id, transactionId: id, commitmentId: 'c', contractId: null,
  seller: { meterId: 'S-1', discomId: 'BRPL-DL', platformId: 'P' }, buyer: { meterId: 'B-1', discomId: 'BRPL-DL', platformId: 'P' },
  intervals: [{ startMs: 3_600_000, endMs: 7_200_000, quantityWh: wh, pricePaisePerKwh: 600 }], intent: 'CONFIRM', source: { action: 'confirm', messageId: null, timestamp: null },
});
const rec = (id: string, wh: number, state: TradeRecord['state'], revision: number): TradeRecord => ({ trade: trade(id, wh), state, revision });
const row = (id: string, revision: number, state: string, wh: number): TradeRevisionRow => ({ trade_id: id, revision, state, start_s: 3600, end_s: 7200, quantity_wh: wh, price_paise_per_kwh: 600 });

test('held by the cut-off: as held; changed after it: its last revision by then; confirmed after it: left out; time unknown: as held', () => {
  const out = tradesAsOf([
    { record: rec('A', 4000, 'ALLOCATED', 1), at: CUTOFF },
    { record: rec('B', 2000, 'CURTAILED', 2), at: CUTOFF + 1 },
    { record: rec('C', 1000, 'CONFIRMED', 0), at: CUTOFF + 5 },
    { record: rec('D', 500, 'CONFIRMED', 0), at: undefined },
  ], [row('B', 0, 'CONFIRMED', 4000), row('B', 1, 'ALLOCATED', 4000)], CUTOFF);
  assert.deepEqual(out.map((r) => [r.trade.tradeId, r.state, r.revision, r.trade.intervals[0]!.quantityWh]), [['A', 'ALLOCATED', 1, 4000], ['B', 'ALLOCATED', 1, 4000], ['D', 'CONFIRMED', 0, 500]]);
});
