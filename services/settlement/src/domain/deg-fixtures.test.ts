// Conformance over the DEG P2P wave-2 examples (beckn/DEG, CC BY-NC-SA 4.0), read from
// ../shared/fixtures at test time and never copied: every confirm / on_confirm / update
// example with a contract normalises to the trade it describes; an example without one
// (the ledger's ACK) is refused with a clear code.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { normaliseDegTrade } from './deg-contract.js';
import { tradeDigest } from './trade.js';
import { sharedFixture } from '@ies/testing';
import { intakeContext, loadJson } from './test-support.test.js';

const DIR = sharedFixture('deg-p2p-wave2/');

type Doc = { context: { action: string; timestamp: string }; message: Record<string, unknown> };
function examples(): { name: string; doc: Doc }[] {
  return readdirSync(DIR).filter((f) => f.endsWith('.json')).sort().map((name) => ({ name, doc: loadJson(new URL(name, DIR)) as Doc }));
}

/** The fixtures' registry: the TEST_ meters of the TEST_ DISCOMs; this node is the seller's DISCOM. */
const fixtureContext = (doc: Doc) => intakeContext({ now: Date.parse(doc.context.timestamp), discomId: 'TEST_DISCOM_SELLER' });

// What every DEG example trade is: 2026-04-26 10:00–12:00 IST in two hourly slots.
const EXPECTED_SELLER = { meterId: 'TEST_METER_SELLER_001', discomId: 'TEST_DISCOM_SELLER' };
const EXPECTED_BUYER = { meterId: 'TEST_METER_BUYER_001', discomId: 'TEST_DISCOM_BUYER' };
const SLOT_0 = Date.parse('2026-04-26T04:30:00Z');

test('every confirm / on_confirm / update example is covered', () => {
  const intake = examples().filter((e) => ['confirm', 'on_confirm', 'update'].includes(e.doc.context.action));
  assert.deepEqual(intake.map((e) => e.name), ['confirm-request.json', 'ledger-on_confirm.json', 'on-confirm-response.json']);
});

for (const name of ['confirm-request.json', 'on-confirm-response.json']) {
  test(`${name} normalises to one trade with exact Wh and paise`, () => {
    const doc = loadJson(new URL(name, DIR)) as Doc;
    const result = normaliseDegTrade(doc, fixtureContext(doc));
    assert.ok(result.ok, JSON.stringify(!result.ok && result.problems));
    assert.equal(result.trades.length, 1);
    const t = result.trades[0]!;
    assert.equal(t.tradeId, '1268c204-675b-4adb-9321-b08231b147b2/commitment-p2p-001');
    assert.deepEqual({ meterId: t.seller.meterId, discomId: t.seller.discomId }, EXPECTED_SELLER);
    assert.deepEqual({ meterId: t.buyer.meterId, discomId: t.buyer.discomId }, EXPECTED_BUYER);
    assert.equal(t.seller.platformId, 'sellerapp.example.com');
    assert.equal(t.buyer.platformId, 'buyerapp.example.com');
    // 20.5 kWh @ ₹12.5 and 15.5 kWh @ ₹14.5 → 20500 Wh @ 1250 paise/kWh, 15500 Wh @ 1450.
    assert.deepEqual(t.intervals, [
      { startMs: SLOT_0, endMs: SLOT_0 + 3_600_000, quantityWh: 20_500, pricePaisePerKwh: 1250 },
      { startMs: SLOT_0 + 3_600_000, endMs: SLOT_0 + 7_200_000, quantityWh: 15_500, pricePaisePerKwh: 1450 },
    ]);
    assert.equal(t.intent, 'CONFIRM');
  });
}

test('the ledger ACK (on_confirm without a contract) is refused as not a trade', () => {
  const doc = loadJson(new URL('ledger-on_confirm.json', DIR)) as Doc;
  const result = normaliseDegTrade(doc, fixtureContext(doc));
  assert.equal(result.ok, false);
  assert.deepEqual(!result.ok && result.problems.map((p) => [p.code, p.path]), [['IES_ERR_P2P_CONTRACT_INVALID', '$.message.contract']]);
});

test('confirm and on_confirm of one trade are the same trade: the second is a replay', () => {
  const confirm = loadJson(new URL('confirm-request.json', DIR)) as Doc;
  const onConfirm = loadJson(new URL('on-confirm-response.json', DIR)) as Doc;
  const first = normaliseDegTrade(confirm, fixtureContext(confirm));
  assert.ok(first.ok);
  const held = new Map(first.trades.map((t) => [t.tradeId, tradeDigest(t)]));
  const second = normaliseDegTrade(onConfirm, { ...fixtureContext(onConfirm), knownTrade: (id) => held.get(id) });
  assert.ok(second.ok, JSON.stringify(!second.ok && second.problems));
  assert.deepEqual([second.trades.length, second.replays], [0, ['1268c204-675b-4adb-9321-b08231b147b2/commitment-p2p-001']]);
});

test('the earlier participant style (roles buyer/seller, utilityId) reads the same trade', () => {
  // ledger-on_status.json and status-request.json carry the full contract in the earlier
  // style; read as if they were an on_confirm (in memory only).
  for (const name of ['ledger-on_status.json', 'status-request.json']) {
    const doc = loadJson(new URL(name, DIR)) as Doc;
    const asConfirm = { ...doc, context: { ...doc.context, action: 'on_confirm', timestamp: '2026-04-25T10:10:00Z' } };
    const result = normaliseDegTrade(asConfirm, fixtureContext(asConfirm));
    assert.ok(result.ok, `${name}: ${JSON.stringify(!result.ok && result.problems)}`);
    const t = result.trades[0]!;
    assert.equal(t.tradeId, 'txn-p2p-001/commitment-p2p-001');
    assert.deepEqual({ meterId: t.seller.meterId, discomId: t.seller.discomId }, EXPECTED_SELLER);
    assert.deepEqual({ meterId: t.buyer.meterId, discomId: t.buyer.discomId }, EXPECTED_BUYER);
    assert.deepEqual([t.seller.platformId, t.buyer.platformId], ['bpp.example.com', 'bap.example.com']);
    assert.equal(t.intervals.length, 2);
  }
});

test('fixtures read at the moment of delivery are refused as in the past', () => {
  const doc = loadJson(new URL('confirm-request.json', DIR)) as Doc;
  const result = normaliseDegTrade(doc, { ...fixtureContext(doc), now: Date.parse('2026-04-26T05:00:00Z') });
  assert.equal(!result.ok && result.problems[0]!.code, 'IES_ERR_P2P_WINDOW_PAST');
});
