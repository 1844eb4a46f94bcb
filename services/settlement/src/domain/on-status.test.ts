// The rendered on_status against the DEG example's shape (keys and paths, array positions
// collapsed) and, with the example's own allocations, against its numbers.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { FinalAllocation } from './final-allocation.js';
import { finalAllocation } from './final-allocation.js';
import { normaliseDegTrade } from './deg-contract.js';
import { renderOnStatus } from './on-status.js';
import { sharedFixture } from '@ies/testing';
import { intakeContext, loadJson } from './test-support.test.js';

const DIR = sharedFixture('deg-p2p-wave2/');

/** Every key path under `node`, arrays as [] ("a.b[].c"). */
function paths(node: unknown, prefix = '', out = new Set<string>()): Set<string> {
  if (Array.isArray(node)) node.forEach((v) => paths(v, `${prefix}[]`, out));
  else if (node !== null && typeof node === 'object') {
    for (const [k, v] of Object.entries(node)) {
      out.add(`${prefix}.${k}`);
      paths(v, `${prefix}.${k}`, out);
    }
  }
  return out;
}
const sub = (doc: unknown, path: string[]) => path.reduce<unknown>((n, k) => (n as Record<string, unknown>)[k], doc);

function exampleTrade() {
  const confirm = loadJson(new URL('on-confirm-response.json', DIR)) as { context: { timestamp: string } };
  const r = normaliseDegTrade(confirm, intakeContext({ now: Date.parse(confirm.context.timestamp), discomId: 'TEST_DISCOM_SELLER' }));
  assert.ok(r.ok);
  return r.trades[0]!;
}

/** The example's discom allocations (buyer 18.5 / 14.2, seller 19.2 / 14.7 kWh) as sides. */
function exampleFinal(t: ReturnType<typeof exampleTrade>): FinalAllocation {
  const side = (wh: number[]) => t.intervals.map((iv, i) => ({ startMs: iv.startMs, endMs: iv.endMs, contractedWh: iv.quantityWh, allocatedWh: wh[i]! }));
  return {
    tradeId: t.tradeId, sellerDiscomId: t.seller.discomId, buyerDiscomId: t.buyer.discomId, sellerVersion: 1, buyerVersion: 1,
    sellerStatus: 'COMPLETED', buyerStatus: 'COMPLETED', status: 'COMPLETED',
    intervals: finalAllocation(side([19_200, 14_700]), side([18_500, 14_200])), evidence: [],
  };
}

const render = (t: ReturnType<typeof exampleTrade>, f: FinalAllocation) =>
  renderOnStatus(t, f, { context: { networkId: 'indiaenergystack.in/test-ies-p2p-trading-network', bapId: 'buyerapp.example.com', bppId: 'sellerapp.example.com', messageId: 'm-1', timestamp: '2026-04-26T06:30:00Z' } });

for (const name of ['on-status-response-settled.json', 'on-status-response-with-performance.json']) {
  test(`on_status has the shape of ${name}: time series, roles and revenue flows`, () => {
    const fixture = loadJson(new URL(name, DIR));
    const t = exampleTrade();
    const ours = render(t, exampleFinal(t));
    const same = (path: string[]) => assert.deepEqual([...paths(sub(ours, path))].sort(), [...paths(sub(fixture, path))].sort(), path.join('.'));
    same(['message', 'contract', 'commitments', '0', 'commitmentAttributes']);
    same(['message', 'contract', 'contractAttributes', 'roles']);
    same(['message', 'contract', 'consideration']);
    // Context: every member we write is one the example has.
    const fixtureContext = paths(sub(fixture, ['context']));
    for (const p of paths(sub(ours, ['context']))) assert.ok(fixtureContext.has(p), `context${p} not in the example`);
    // Top-level contract members are a subset (resources, offer, participants, settlements are the platforms').
    assert.deepEqual(Object.keys(sub(ours, ['message', 'contract']) as object).filter((k) => !Object.keys(sub(fixture, ['message', 'contract']) as object).includes(k)), []);
  });
}

test('with the example’s allocations, the figures are the example’s: FINAL 18.5 / 14.2 kWh, ₹437.15', () => {
  const fixture = loadJson(new URL('on-status-response-settled.json', DIR));
  const t = exampleTrade();
  const ours = render(t, exampleFinal(t));
  const series = ['message', 'contract', 'commitments', '0', 'commitmentAttributes'];
  assert.deepEqual(sub(ours, [...series, 'intervals']), sub(fixture, [...series, 'intervals']));
  assert.deepEqual(sub(ours, [...series, 'payloadDescriptors']), sub(fixture, [...series, 'payloadDescriptors']));
  assert.deepEqual(sub(ours, [...series, 'intervalPeriod']), sub(fixture, [...series, 'intervalPeriod']));
  // 18500 Wh × 1250 paise/kWh = 23125 paise; 14200 × 1450 = 20590; Σ 43715 paise = ₹437.15.
  assert.deepEqual(sub(ours, ['message', 'contract', 'consideration']), sub(fixture, ['message', 'contract', 'consideration']));
});

test('pending sides render as PENDING; FINAL_ALLOC obeys the DEG P4 rule FINAL ≤ min(buyer, seller)', () => {
  const t = exampleTrade();
  const f = { ...exampleFinal(t), buyerStatus: 'INCOMPLETE' as const, status: 'INCOMPLETE' as const };
  const intervals = sub(render(t, f), ['message', 'contract', 'commitments', '0', 'commitmentAttributes', 'intervals']) as { payloads: { type: string; values: unknown[] }[] }[];
  for (const iv of intervals) {
    const v = (type: string) => iv.payloads.find((p) => p.type === type)!.values[0];
    assert.equal(v('BUYER_DISCOM_STATUS'), 'PENDING');
    assert.equal(v('SELLER_DISCOM_STATUS'), 'COMPLETED');
    assert.ok((v('FINAL_ALLOC') as number) <= Math.min(v('BUYER_DISCOM_ALLOC') as number, v('SELLER_DISCOM_ALLOC') as number));
  }
});
