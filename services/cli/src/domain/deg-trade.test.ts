import assert from 'node:assert/strict';
import test from 'node:test';
import { normaliseDegTrade } from '@ies/settlement/testing';
import { formatFixedScale as scaled } from '@ies/units';
import { degCancel, degConfirm, type SimTrade } from './deg-trade.js';

const HOUR = 3_600_000;
const start = Date.parse('2026-11-20T06:30:00Z'); // 12:00 IST
const trade: SimTrade = {
  transactionId: 'TX-1', commitmentId: 'C-1', platformId: 'PLAT-1',
  seller: { meterId: 'S-1', discomId: 'AAA-DL' }, buyer: { meterId: 'B-1', discomId: 'BBB-DL' },
  startMs: start, intervalMinutes: 60, intervals: [{ wh: 1500, paisePerKwh: 650 }, { wh: 2005, paisePerKwh: 675 }], confirmedAt: start - 2 * HOUR,
};
const ctx = {
  now: start - HOUR, discomId: 'AAA-DL', platform: (id: string) => id === 'PLAT-1',
  meter: (id: string) => (id === 'S-1' ? { discomId: 'AAA-DL' } : undefined), peerDiscom: (d: string) => d === 'BBB-DL',
};

test('scaled writes integers in the smallest unit as exact decimals', () => {
  assert.equal(scaled(1500, 3), '1.500');
  assert.equal(scaled(5, 3), '0.005');
  assert.equal(scaled(650, 2), '6.50');
  assert.equal(scaled(0, 2), '0.00');
  assert.throws(() => scaled(1.5, 2), RangeError);
});

test('the simulated platform\'s confirm normalises to the same trade figures (inter-DISCOM seller side)', () => {
  const r = normaliseDegTrade(degConfirm(trade), ctx);
  assert.ok(r.ok, JSON.stringify(!r.ok && r.problems));
  const [t] = r.trades;
  assert.equal(t!.tradeId, 'TX-1/C-1');
  assert.deepEqual(t!.seller, { meterId: 'S-1', discomId: 'AAA-DL', platformId: 'PLAT-1' });
  assert.deepEqual(t!.buyer, { meterId: 'B-1', discomId: 'BBB-DL', platformId: 'PLAT-1' });
  assert.deepEqual(t!.intervals, [
    { startMs: start, endMs: start + HOUR, quantityWh: 1500, pricePaisePerKwh: 650 },
    { startMs: start + HOUR, endMs: start + 2 * HOUR, quantityWh: 2005, pricePaisePerKwh: 675 },
  ]);
});

test('its cancellation is an update with CANCEL intent', () => {
  const r = normaliseDegTrade(degCancel(trade, start - 30 * 60_000), ctx);
  assert.ok(r.ok, JSON.stringify(!r.ok && r.problems));
  assert.equal(r.trades[0]!.intent, 'CANCEL');
});
