import { test } from 'node:test';
import assert from 'node:assert/strict';
import { normaliseDegTrade } from './deg-contract.js';
import { TradeTransitionError, VALID_TRANSITIONS, applyTradeUpdate, newTradeRecord, transitionTrade } from './trade-lifecycle.js';
import type { NormalisedTrade, TradeState } from './trade.js';
import { at, confirmPayload, intakeContext } from './test-support.test.js';

function parse(payload: unknown, now = at('2026-04-25T10:00:00Z')): NormalisedTrade {
  const r = normaliseDegTrade(payload, intakeContext({ now }));
  assert.ok(r.ok, JSON.stringify(!r.ok && r.problems));
  return r.trades[0]!;
}
const confirmed = () => newTradeRecord(parse(confirmPayload()));

test('the transition table: every state is listed and CANCELLED is final', () => {
  assert.deepEqual(Object.keys(VALID_TRANSITIONS).sort(), ['ALLOCATED', 'CANCELLED', 'CONFIRMED', 'CURTAILED', 'SETTLED']);
  assert.deepEqual(VALID_TRANSITIONS.CANCELLED, []);
  const r = transitionTrade(transitionTrade(confirmed(), 'ALLOCATED'), 'SETTLED');
  assert.deepEqual([r.state, r.revision], ['SETTLED', 2]);
  // A late read reopens a settled trade.
  assert.equal(transitionTrade(r, 'ALLOCATED').state, 'ALLOCATED');
});

test('a forbidden transition throws a typed, coded error naming what is allowed', () => {
  const cancelled = transitionTrade(confirmed(), 'CANCELLED');
  const bad: [TradeState, TradeState][] = [['CANCELLED', 'ALLOCATED'], ['SETTLED', 'CANCELLED'], ['CONFIRMED', 'SETTLED']];
  for (const [from, to] of bad) {
    const rec = { ...cancelled, state: from };
    assert.throws(() => transitionTrade(rec, to), (e: unknown) => e instanceof TradeTransitionError && e.code === 'IES_ERR_P2P_TRADE_TRANSITION' && e.status === 409 && e.from === from && e.to === to);
  }
  assert.throws(() => transitionTrade(cancelled, 'ALLOCATED'), /cannot go from CANCELLED to ALLOCATED \(allowed: none, it is final\)/);
});

test('cancellation is a state transition, not a deletion; cancelling twice is a no-op', () => {
  const update = confirmPayload({ action: 'update' }) as { message: { contract: { status: { code: string } } } };
  update.message.contract.status.code = 'CANCELLED';
  const r = applyTradeUpdate(confirmed(), parse(update), at('2026-04-25T12:00:00Z'));
  assert.ok(r.ok);
  assert.deepEqual([r.record.state, r.record.revision, r.changed, r.record.trade.intervals.length], ['CANCELLED', 1, true, 2]);
  const again = applyTradeUpdate(r.record, parse(update), at('2026-04-25T12:00:00Z'));
  assert.ok(again.ok && !again.changed);
});

test('cancelling after delivery began is refused: curtail the rest to 0 instead', () => {
  const update = confirmPayload({ action: 'update' }) as { message: { contract: { status: { code: string } } } };
  update.message.contract.status.code = 'CANCELLED';
  const late = applyTradeUpdate(confirmed(), parse(update), at('2026-04-26T05:00:00Z'));
  assert.equal(!late.ok && late.problems[0]!.code, 'IES_ERR_P2P_WINDOW_PAST');
  // 05:00Z is inside slot 0 (04:30–05:30); slot 1 (05:30–06:30) can still go to 0.
  const curtail = parse(confirmPayload({ action: 'update', intervals: [{ price: 6, qty: 10 }, { price: '6.5', qty: 0 }] }));
  const r = applyTradeUpdate(confirmed(), curtail, at('2026-04-26T05:00:00Z'));
  assert.ok(r.ok, JSON.stringify(!r.ok && r.problems));
  assert.deepEqual([r.record.state, r.record.trade.intervals.map((i) => i.quantityWh)], ['CURTAILED', [10_000, 0]]);
});

test('a curtailment only lowers quantities of intervals not yet started', () => {
  const lower = parse(confirmPayload({ action: 'update', intervals: [{ price: 6, qty: 4 }, { price: '6.5', qty: '8.25' }] }));
  const started = applyTradeUpdate(confirmed(), lower, at('2026-04-26T04:45:00Z'));
  assert.equal(!started.ok && started.problems[0]!.code, 'IES_ERR_P2P_WINDOW_PAST');
  const raise = parse(confirmPayload({ action: 'update', intervals: [{ price: 6, qty: 11 }, { price: '6.5', qty: '8.25' }] }));
  assert.match(JSON.stringify(applyTradeUpdate(confirmed(), raise, at('2026-04-25T12:00:00Z'))), /quantity rises from 10000 to 11000 Wh; more energy is a new trade/);
  const reprice = parse(confirmPayload({ action: 'update', intervals: [{ price: 7, qty: 10 }, { price: '6.5', qty: '8.25' }] }));
  assert.match(JSON.stringify(applyTradeUpdate(confirmed(), reprice, at('2026-04-25T12:00:00Z'))), /price changes from 600 to 700 paise\/kWh/);
  const otherMeter = parse(confirmPayload({ action: 'update', buyerMeter: 'SM-SELLER-2' }));
  assert.match(JSON.stringify(applyTradeUpdate(confirmed(), otherMeter, at('2026-04-25T12:00:00Z'))), /changes the buyer meterId from SM-BUYER-1 to SM-SELLER-2/);
  const same = applyTradeUpdate(confirmed(), parse(confirmPayload({ action: 'update' })), at('2026-04-25T12:00:00Z'));
  assert.ok(same.ok && !same.changed && same.record.state === 'CONFIRMED');
});

test('a curtailment of a cancelled trade is refused by the lifecycle', () => {
  const cancelled = transitionTrade(confirmed(), 'CANCELLED');
  const lower = parse(confirmPayload({ action: 'update', intervals: [{ price: 6, qty: 4 }, { price: '6.5', qty: '8.25' }] }));
  const r = applyTradeUpdate(cancelled, lower, at('2026-04-25T12:00:00Z'));
  assert.equal(!r.ok && r.problems[0]!.code, 'IES_ERR_P2P_TRADE_TRANSITION');
});
