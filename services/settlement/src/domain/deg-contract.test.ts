import { test } from 'node:test';
import assert from 'node:assert/strict';
import { normaliseDegTrade, type IntakeResult } from './deg-contract.js';
import { tradeDigest } from './trade.js';
import { at, confirmPayload, intakeContext, H } from './test-support.test.js';

const codes = (r: IntakeResult) => (r.ok ? [] : r.problems.map((p) => p.code));
const ok = (r: IntakeResult) => {
  assert.ok(r.ok, JSON.stringify(!r.ok && r.problems));
  return r;
};

test('a hand-written confirm: decimal strings and numbers parse exactly to Wh and paise', () => {
  const r = ok(normaliseDegTrade(confirmPayload(), intakeContext()));
  const t = r.trades[0]!;
  assert.equal(t.tradeId, 'tx-1/c-1');
  assert.deepEqual(t.seller, { meterId: 'SM-SELLER-1', discomId: 'BRPL-DL', platformId: 'sellerapp.example.com' });
  assert.deepEqual(t.buyer, { meterId: 'SM-BUYER-1', discomId: 'BRPL-DL', platformId: 'buyerapp.example.com' });
  // 10 kWh @ ₹6 and "8.25" kWh @ "6.5" → 10000 Wh @ 600, 8250 Wh @ 650.
  assert.deepEqual(t.intervals.map((i) => [i.quantityWh, i.pricePaisePerKwh]), [[10_000, 600], [8_250, 650]]);
  assert.deepEqual(t.intervals.map((i) => i.endMs - i.startMs), [H, H]);
});

test('one trade per commitment; the same commitment id twice is a duplicate', () => {
  assert.deepEqual(ok(normaliseDegTrade(confirmPayload({ commitments: 2 }), intakeContext())).trades.map((t) => t.tradeId), ['tx-1/c-1', 'tx-1/c-2']);
  const payload = confirmPayload({ commitments: 2 }) as { message: { contract: { commitments: { id: string }[] } } };
  payload.message.contract.commitments[1]!.id = 'c-1';
  assert.deepEqual(codes(normaliseDegTrade(payload, intakeContext())), ['IES_ERR_P2P_DUPLICATE']);
});

test('a trade interval longer than 15 minutes covers several blocks; 15-minute and 30-minute grids are fine', () => {
  for (const duration of ['PT15M', 'PT30M', 'PT2H']) ok(normaliseDegTrade(confirmPayload({ duration }), intakeContext()));
});

test('misaligned start, an off-grid duration and calendar durations are refused', () => {
  assert.deepEqual(codes(normaliseDegTrade(confirmPayload({ start: '2026-04-26T04:37:00Z' }), intakeContext())), ['IES_ERR_P2P_INTERVAL_MISALIGNED']);
  assert.deepEqual(codes(normaliseDegTrade(confirmPayload({ duration: 'PT20M' }), intakeContext())), ['IES_ERR_P2P_INTERVAL_MISALIGNED']);
  assert.deepEqual(codes(normaliseDegTrade(confirmPayload({ duration: 'P1M' }), intakeContext())), ['IES_ERR_P2P_INTERVAL_MISALIGNED']);
  assert.deepEqual(codes(normaliseDegTrade(confirmPayload({ start: '2026-04-26 04:30' }), intakeContext())), ['IES_ERR_P2P_INTERVAL_MISALIGNED']);
  // IST offset is fine: 10:00+05:30 is 04:30Z.
  ok(normaliseDegTrade(confirmPayload({ start: '2026-04-26T10:00:00+05:30' }), intakeContext()));
});

test('gaps and overlaps in the interval grid are refused with the times in the message', () => {
  const gap = normaliseDegTrade(confirmPayload({ intervals: [{ price: 6, qty: 1 }, { price: 6, qty: 1, id: 2 }] }), intakeContext());
  assert.deepEqual(codes(gap), ['IES_ERR_P2P_INTERVAL_GAP']);
  assert.match(!gap.ok ? gap.problems[0]!.message : '', /interval 2 starts at 2026-04-26T06:30:00Z, 60 min after interval 0 ends at 2026-04-26T05:30:00Z/);
  const overlap = normaliseDegTrade(
    confirmPayload({ intervals: [{ price: 6, qty: 1 }, { price: 6, qty: 1, period: { start: '2026-04-26T05:15:00Z', duration: 'PT1H' } }] }),
    intakeContext(),
  );
  assert.deepEqual(codes(overlap), ['IES_ERR_P2P_INTERVAL_OVERLAP']);
  assert.deepEqual(codes(normaliseDegTrade(confirmPayload({ intervals: [{ price: 6, qty: 1 }, { price: 6, qty: 1, id: 0 }] }), intakeContext())), ['IES_ERR_P2P_DUPLICATE']);
});

test('units other than kWh and INR are refused', () => {
  assert.deepEqual(codes(normaliseDegTrade(confirmPayload({ currency: 'USD' }), intakeContext())), ['IES_ERR_P2P_UNIT_UNSUPPORTED']);
  assert.deepEqual(codes(normaliseDegTrade(confirmPayload({ units: 'MWH' }), intakeContext())), ['IES_ERR_P2P_UNIT_UNSUPPORTED']);
});

test('values: finer than 1 Wh or 1 paisa, negative, non-numeric or all-zero are refused', () => {
  const one = (price: unknown, qty: unknown) => codes(normaliseDegTrade(confirmPayload({ intervals: [{ price, qty }] }), intakeContext()));
  assert.deepEqual(one(6, 1.0005), ['IES_ERR_P2P_VALUE_INVALID']);
  assert.deepEqual(one(6.125, 1), ['IES_ERR_P2P_VALUE_INVALID']);
  assert.deepEqual(one(6, -1), ['IES_ERR_P2P_VALUE_INVALID']);
  assert.deepEqual(one('six', 1), ['IES_ERR_P2P_VALUE_INVALID']);
  assert.deepEqual(one(6, 0), ['IES_ERR_P2P_VALUE_INVALID']);
  // 0.1 + 0.2 as a float is 0.30000000000000004 kWh: not a quantity anyone meant, refused.
  assert.deepEqual(one(6, 0.1 + 0.2), ['IES_ERR_P2P_VALUE_INVALID']);
  // Trailing zeros beyond the scale are exact and fine: "6.500" INR, "1.2500" kWh.
  assert.deepEqual(ok(normaliseDegTrade(confirmPayload({ intervals: [{ price: '6.500', qty: '1.2500' }] }), intakeContext())).trades[0]!.intervals.map((i) => [i.quantityWh, i.pricePaisePerKwh]), [[1250, 650]]);
});

test('unknown platform, platform not party to the contract, unknown meter, same meter', () => {
  assert.deepEqual(codes(normaliseDegTrade(confirmPayload(), intakeContext({ platform: (id) => id === 'buyerapp.example.com' }))), ['IES_ERR_P2P_PLATFORM_UNKNOWN']);
  assert.deepEqual(codes(normaliseDegTrade(confirmPayload(), intakeContext({ signerPlatformId: 'other.example.com' }))), ['IES_ERR_P2P_PLATFORM_NOT_PARTY']);
  ok(normaliseDegTrade(confirmPayload(), intakeContext({ signerPlatformId: 'sellerapp.example.com' })));
  assert.deepEqual(codes(normaliseDegTrade(confirmPayload({ buyerMeter: 'SM-NOBODY' }), intakeContext())), ['IES_ERR_P2P_METER_UNKNOWN']);
  assert.deepEqual(codes(normaliseDegTrade(confirmPayload({ buyerMeter: 'SM-SELLER-1' }), intakeContext())), ['IES_ERR_P2P_SAME_METER']);
});

test('inter-DISCOM: a meter of a peer DISCOM is taken on the contract’s word; a wrong DISCOM name is refused', () => {
  // SM-UP-9 is not in this node's registry; the contract puts it with peer PVVNL-UP.
  const r = ok(normaliseDegTrade(confirmPayload({ buyerMeter: 'SM-UP-9', buyerDiscom: 'PVVNL-UP' }), intakeContext()));
  assert.deepEqual([r.trades[0]!.buyer.discomId, r.trades[0]!.seller.discomId], ['PVVNL-UP', 'BRPL-DL']);
  // A registered meter named with another DISCOM: the registry wins, the message is refused.
  assert.deepEqual(codes(normaliseDegTrade(confirmPayload({ buyerMeter: 'SM-BUYER-2', buyerDiscom: 'BRPL-DL' }), intakeContext())), ['IES_ERR_P2P_DISCOM_MISMATCH']);
  // Neither meter is this node's: not its trade.
  assert.deepEqual(codes(normaliseDegTrade(confirmPayload({ buyerMeter: 'SM-BUYER-2', buyerDiscom: 'TPDDL-DL' }), intakeContext({ discomId: 'BYPL-DL' }))), ['IES_ERR_P2P_TENANT_NOT_PARTY']);
});

test('a window in the past, or inside the lead time, is refused', () => {
  assert.deepEqual(codes(normaliseDegTrade(confirmPayload(), intakeContext({ now: at('2026-04-26T04:31:00Z') }))), ['IES_ERR_P2P_WINDOW_PAST']);
  // Exactly at the start is allowed (lead ≥ 0); the lead time is "at least".
  ok(normaliseDegTrade(confirmPayload(), intakeContext({ now: at('2026-04-26T00:30:00Z'), minLeadMs: 4 * H })));
  const lead = normaliseDegTrade(confirmPayload(), intakeContext({ now: at('2026-04-26T01:00:00Z'), minLeadMs: 4 * H }));
  assert.match(!lead.ok ? lead.problems[0]!.message : '', /before 2026-04-26T01:00:00Z plus the 240-minute lead time/);
});

test('duplicates: the same trade again is a replay, different terms under the same id a conflict', () => {
  const first = ok(normaliseDegTrade(confirmPayload(), intakeContext())).trades[0]!;
  const digest = tradeDigest(first);
  const replay = ok(normaliseDegTrade(confirmPayload(), intakeContext({ knownTrade: () => digest })));
  assert.deepEqual([replay.trades.length, replay.replays], [0, ['tx-1/c-1']]);
  const changed = confirmPayload({ intervals: [{ price: 6, qty: 10 }, { price: '6.5', qty: '8.5' }] });
  assert.deepEqual(codes(normaliseDegTrade(changed, intakeContext({ knownTrade: () => digest }))), ['IES_ERR_P2P_TRADE_CONFLICT']);
});

test('every problem is reported at once, each with its JSON path', () => {
  const r = normaliseDegTrade(confirmPayload({ currency: 'USD', buyerMeter: 'SM-SELLER-1', intervals: [{ price: 6, qty: -2 }] }), intakeContext());
  assert.deepEqual(!r.ok && r.problems.map((p) => [p.code, p.path]), [
    ['IES_ERR_P2P_SAME_METER', '$.message.contract.participants'],
    ['IES_ERR_P2P_UNIT_UNSUPPORTED', '$.message.contract.commitments[0].commitmentAttributes.payloadDescriptors'],
    ['IES_ERR_P2P_VALUE_INVALID', '$.message.contract.commitments[0].commitmentAttributes.intervals[0].payloads[1].values'],
  ]);
});

test('actions other than confirm / on_confirm / update, and non-contract bodies, are refused', () => {
  assert.deepEqual(codes(normaliseDegTrade(confirmPayload({ action: 'select' }), intakeContext())), ['IES_ERR_P2P_ACTION_UNSUPPORTED']);
  assert.deepEqual(codes(normaliseDegTrade([], intakeContext())), ['IES_ERR_P2P_CONTRACT_INVALID']);
  assert.deepEqual(codes(normaliseDegTrade({ context: { action: 'confirm', version: '2.0.0', transactionId: 't' }, message: {} }, intakeContext())), ['IES_ERR_P2P_CONTRACT_INVALID']);
});

test('an update reads its intent from the status: CANCELLED* cancels, anything else amends', () => {
  const cancel = confirmPayload({ action: 'update' }) as { message: { contract: { status: { code: string } } } };
  cancel.message.contract.status.code = 'CANCELLED';
  assert.equal(ok(normaliseDegTrade(cancel, intakeContext({ now: at('2026-04-26T12:00:00Z') }))).trades[0]!.intent, 'CANCEL');
  // Updates are not refused for a past window at intake; applyTradeUpdate judges what changed.
  assert.equal(ok(normaliseDegTrade(confirmPayload({ action: 'update' }), intakeContext({ now: at('2026-04-26T12:00:00Z') }))).trades[0]!.intent, 'AMEND');
});

test('transaction, commitment and meter ids follow the one safe grammar (no "/", "..", control or bidi characters)', () => {
  const withContext = (transactionId: string) => {
    const p = confirmPayload() as { context: Record<string, unknown> };
    p.context.transactionId = transactionId;
    return p;
  };
  for (const tx of ['tx/1', '..', 'tx\u202e1', 'tx 1']) {
    const r = normaliseDegTrade(withContext(tx), intakeContext());
    assert.deepEqual(!r.ok && r.problems.map((p) => [p.code, p.path]), [['IES_ERR_P2P_CONTRACT_INVALID', '$.context.transactionId']], tx);
  }
  const commitment = confirmPayload() as { message: { contract: { commitments: { id: string }[] } } };
  commitment.message.contract.commitments[0]!.id = '../c-1';
  assert.deepEqual(codes(normaliseDegTrade(commitment, intakeContext())), ['IES_ERR_P2P_CONTRACT_INVALID']);
  assert.deepEqual(codes(normaliseDegTrade(confirmPayload({ sellerMeter: 'SM/SELLER\u0000' }), intakeContext())), ['IES_ERR_P2P_CONTRACT_INVALID']);
  assert.equal(ok(normaliseDegTrade(withContext('did:web:p2p.example.in:tx:2026-04-26.1'), intakeContext())).trades[0]!.tradeId, 'did:web:p2p.example.in:tx:2026-04-26.1/c-1');
});

test('prices above ₹1000/kWh (2^53 − 1 paise is not a price) and quantities above 10 MWh per interval are refused', () => {
  const one = (price: unknown, qty: unknown) => normaliseDegTrade(confirmPayload({ intervals: [{ price, qty }] }), intakeContext());
  assert.deepEqual(ok(one('1000', '10000')).trades[0]!.intervals.map((i) => [i.quantityWh, i.pricePaisePerKwh]), [[10_000_000, 100_000]]);
  const price = one('90071992547409.91', 1);
  assert.deepEqual(codes(price), ['IES_ERR_P2P_VALUE_INVALID']);
  assert.match(!price.ok ? price.problems[0]!.message : '', /PRICE_PER_KWH "90071992547409.91" INR\/kWh is above the maximum 1000 INR\/kWh/);
  const qty = one(6, '10000.001');
  assert.deepEqual(codes(qty), ['IES_ERR_P2P_VALUE_INVALID']);
  assert.match(!qty.ok ? qty.problems[0]!.message : '', /REQUESTED_QTY "10000.001" kWh is above the maximum 10000 kWh/);
});
