// Hand-worked reconciliation cases. Times: 2026-04-26 10:00 IST = 04:30Z; the reads start
// at 04:30Z, one value per 15-minute block; an hourly trade interval sums 4 blocks.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { allocateSide, reallocate, type SideAllocation } from './allocation.js';
import { combineSides, finalAllocation } from './final-allocation.js';
import { sideAllocationJson, validateSideAllocation } from './side-allocation-check.js';
import { SettlementError } from './codes.js';
import { blocks, cp, reads, record, trade } from './test-support.test.js';

const T0 = '2026-04-26T04:30:00Z';
const T1 = '2026-04-26T05:30:00Z';
const wh = (a: readonly SideAllocation[]) => Object.fromEntries(a.map((s) => [s.tradeId, s.intervals.map((i) => i.allocatedWh)]));

test('several trades on one meter share its export pro rata, exactly', () => {
  // Seller S1 sold 4 kWh, 3 kWh and 3 kWh for 10:00–11:00 IST (Σ 10000 Wh) and exported
  // 2000 + 2000 + 2000 + 1001 = 7001 Wh. Shares 2800.4 / 2100.3 / 2100.3 → 2801, 2100, 2100
  // (the leftover Wh to the largest remainder, t1's).
  const trades = [
    trade('t1/c', ['S1', 'BRPL-DL'], ['B1', 'BRPL-DL'], [[T0, 1, 4000, 600]]),
    trade('t2/c', ['S1', 'BRPL-DL'], ['B2', 'BRPL-DL'], [[T0, 1, 3000, 650]]),
    trade('t3/c', ['S1', 'BRPL-DL'], ['B3', 'BRPL-DL'], [[T0, 1, 3000, 700]]),
  ].map((t) => record(t));
  const seller = allocateSide({ discomId: 'BRPL-DL', side: 'SELLER', trades, reads: reads(T0, { 'S1/EXPORT': [2000, 2000, 2000, 1001] }) });
  assert.deepEqual(wh(seller), { 't1/c': [2801], 't2/c': [2100], 't3/c': [2100] });
  assert.ok(seller.every((s) => s.status === 'COMPLETED' && s.version === 1 && s.meterId === 'S1'));
  // Import is not export: the seller side never looks at the import channel.
  const noExport = allocateSide({ discomId: 'BRPL-DL', side: 'SELLER', trades, reads: reads(T0, { 'S1/IMPORT': blocks(4, 9999) }) });
  assert.deepEqual(wh(noExport), { 't1/c': [0], 't2/c': [0], 't3/c': [0] });
  assert.ok(noExport.every((s) => s.status === 'INCOMPLETE'));
});

test('seller under-delivery: 10 kWh contracted, 8 kWh exported, buyer took 15 kWh', () => {
  // Seller side min(10000, 8000) = 8000; buyer side min(10000, 15000) = 10000;
  // FINAL = min(8000, 10000) = 8000; seller shortfall 2000, buyer shortfall 0, deviation 2000.
  const t = trade('tx/c', ['S1', 'BRPL-DL'], ['B1', 'BRPL-DL'], [[T0, 1, 10_000, 600]]);
  const r = reads(T0, { 'S1/EXPORT': blocks(4, 2000), 'B1/IMPORT': blocks(4, 3750) });
  const [s] = allocateSide({ discomId: 'BRPL-DL', side: 'SELLER', trades: [record(t)], reads: r });
  const [b] = allocateSide({ discomId: 'BRPL-DL', side: 'BUYER', trades: [record(t)], reads: r });
  const f = combineSides(t, s!, b!);
  assert.deepEqual(f.intervals[0], { startMs: t.intervals[0]!.startMs, endMs: t.intervals[0]!.endMs, contractedWh: 10_000, sellerWh: 8000, buyerWh: 10_000, finalWh: 8000, sellerShortfallWh: 2000, buyerShortfallWh: 0, deviationWh: 2000 });
  assert.equal(f.status, 'COMPLETED');
});

test('buyer under-consumption: 10 kWh contracted, seller exported 12 kWh, buyer took 7.5 kWh', () => {
  // Seller side 10000, buyer side 7500 → FINAL 7500; buyer shortfall 2500, seller's 0.
  const t = trade('tx/c', ['S1', 'BRPL-DL'], ['B1', 'BRPL-DL'], [[T0, 1, 10_000, 600]]);
  const r = reads(T0, { 'S1/EXPORT': blocks(4, 3000), 'B1/IMPORT': [2000, 2000, 2000, 1500] });
  const [s] = allocateSide({ discomId: 'BRPL-DL', side: 'SELLER', trades: [record(t)], reads: r });
  const [b] = allocateSide({ discomId: 'BRPL-DL', side: 'BUYER', trades: [record(t)], reads: r });
  const f = combineSides(t, s!, b!).intervals[0]!;
  assert.deepEqual([f.sellerWh, f.buyerWh, f.finalWh, f.sellerShortfallWh, f.buyerShortfallWh, f.deviationWh], [10_000, 7500, 7500, 0, 2500, 2500]);
});

test('inter-DISCOM trade: each DISCOM allocates from its own meters, the signed sides meet and agree', () => {
  // Seller S9 with BRPL-DL, buyer B9 with TPDDL-DL; 2 hourly slots, 5 kWh and 6 kWh.
  // BRPL sees only S9's export (5200, 4400 Wh); TPDDL only B9's import (6000, 6400 Wh).
  const t = trade('x-9/c', ['S9', 'BRPL-DL'], ['B9', 'TPDDL-DL'], [[T0, 1, 5000, 800], [T1, 1, 6000, 800]]);
  const brplReads = reads(T0, { 'S9/EXPORT': [1300, 1300, 1300, 1300, 1100, 1100, 1100, 1100] }, [cp('notary.brpl/BRPL-DL', 7)]);
  const tpddlReads = reads(T0, { 'B9/IMPORT': [1500, 1500, 1500, 1500, 1600, 1600, 1600, 1600] }, [cp('notary.tpddl/TPDDL-DL', 3)]);
  const sellerSide = allocateSide({ discomId: 'BRPL-DL', side: 'SELLER', trades: [record(t)], reads: brplReads });
  const buyerSide = allocateSide({ discomId: 'TPDDL-DL', side: 'BUYER', trades: [record(t)], reads: tpddlReads });
  // Each DISCOM computes only its own side.
  assert.deepEqual(allocateSide({ discomId: 'BRPL-DL', side: 'BUYER', trades: [record(t)], reads: brplReads }), []);
  // The messages cross as canonical JSON (the adapter signs these bytes) and are validated on arrival.
  const received = (a: SideAllocation) => {
    const v = validateSideAllocation(JSON.parse(sideAllocationJson(a)));
    assert.ok(v.ok, JSON.stringify(!v.ok && v.problems));
    return v.allocation;
  };
  const atBrpl = combineSides(t, sellerSide[0]!, received(buyerSide[0]!));
  const atTpddl = combineSides(t, received(sellerSide[0]!), buyerSide[0]!);
  assert.deepEqual(atBrpl, atTpddl);
  // Slot 0: seller min(5000, 5200) = 5000, buyer min(5000, 6000) = 5000 → 5000.
  // Slot 1: seller min(6000, 4400) = 4400, buyer min(6000, 6400) = 6000 → 4400.
  assert.deepEqual(atBrpl.intervals.map((i) => [i.sellerWh, i.buyerWh, i.finalWh]), [[5000, 5000, 5000], [4400, 6000, 4400]]);
  assert.deepEqual(atBrpl.evidence.map((c) => c.origin), ['notary.brpl/BRPL-DL', 'notary.tpddl/TPDDL-DL']);
  assert.match(sideAllocationJson(sellerSide[0]!), /^\{"discomId":"BRPL-DL","evidence":\[\{"origin":"notary\.brpl\/BRPL-DL","rootHash":"root-notary\.brpl\/BRPL-DL-7","size":7\}\],"intervals":\[\{"allocatedWh":5000,/);
});

test('combineSides refuses sides that are not about the same trade and intervals', () => {
  const t = trade('x-9/c', ['S9', 'BRPL-DL'], ['B9', 'TPDDL-DL'], [[T0, 1, 5000, 800]]);
  const r = reads(T0, { 'S9/EXPORT': blocks(4, 2000), 'B9/IMPORT': blocks(4, 2000) });
  const [s] = allocateSide({ discomId: 'BRPL-DL', side: 'SELLER', trades: [record(t)], reads: r });
  const [b] = allocateSide({ discomId: 'TPDDL-DL', side: 'BUYER', trades: [record(t)], reads: r });
  const code = (fn: () => unknown) => assert.throws(fn, (e: unknown) => e instanceof SettlementError && e.code === 'IES_ERR_P2P_SIDES_MISMATCH');
  code(() => combineSides(t, b!, s!));
  code(() => combineSides(t, s!, { ...b!, tradeId: 'other/c' }));
  code(() => combineSides(t, s!, { ...b!, discomId: 'BYPL-DL' }));
  code(() => combineSides(t, s!, { ...b!, intervals: [{ ...b!.intervals[0]!, contractedWh: 4000 }] }));
  assert.throws(() => combineSides(t, s!, { ...b!, intervals: [{ ...b!.intervals[0]!, allocatedWh: 5001 }] }), /allocated 5001 Wh is outside 0…5000 Wh/);
  code(() => finalAllocation(s!.intervals, []));
  const bad = validateSideAllocation({ ...s!, version: 0, extra: 1, intervals: [{ ...s!.intervals[0]!, allocatedWh: 9000 }] });
  assert.deepEqual(!bad.ok && bad.problems.map((p) => p.path), ['$.extra', '$.version', '$.intervals[0]']);
});

test('a late read reopens the trade: version 2 only when a figure changes', () => {
  // Buyer B1's third block is missing at first (−1): its side is 2000+2000+0+2000 = 6000 Wh,
  // INCOMPLETE. The late read (2500 Wh) makes it min(10000, 8500) = 8500, COMPLETED, v2.
  const t = trade('tx/c', ['S1', 'BRPL-DL'], ['B1', 'BRPL-DL'], [[T0, 1, 10_000, 600]]);
  const input = (buyerBlocks: number[], origin: number) => ({ discomId: 'BRPL-DL', side: 'BUYER' as const, trades: [record(t)], reads: reads(T0, { 'B1/IMPORT': buyerBlocks }, [cp('n/BRPL-DL', origin)]) });
  const v1 = allocateSide(input([2000, 2000, -1, 2000], 10));
  assert.deepEqual([v1[0]!.status, v1[0]!.intervals[0]!.allocatedWh, v1[0]!.version], ['INCOMPLETE', 6000, 1]);
  const late = reallocate(v1, input([2000, 2000, 2500, 2000], 11));
  assert.deepEqual([late.allocations[0]!.status, late.allocations[0]!.intervals[0]!.allocatedWh, late.allocations[0]!.version, late.changed], ['COMPLETED', 8500, 2, ['tx/c']]);
  assert.deepEqual(late.allocations[0]!.evidence, [cp('n/BRPL-DL', 11)]);
  // A newer checkpoint with the same figures: no new version, the old evidence stays.
  const same = reallocate(late.allocations, input([2000, 2000, 2500, 2000], 12));
  assert.deepEqual([same.allocations[0], same.changed], [late.allocations[0], []]);
});

test('a cancelled trade drops out of the pro-rata: the other trade on the meter gets the energy', () => {
  // S1 sold 6 kWh (t1) and 4 kWh (t2) and exported 6 kWh. Both live: 3600 / 2400.
  // t2 cancelled: t1 alone gets min(6000, 6000) = 6000; t2 has no allocation.
  const t1 = trade('t1/c', ['S1', 'BRPL-DL'], ['B1', 'BRPL-DL'], [[T0, 1, 6000, 600]]);
  const t2 = trade('t2/c', ['S1', 'BRPL-DL'], ['B2', 'BRPL-DL'], [[T0, 1, 4000, 600]]);
  const r = reads(T0, { 'S1/EXPORT': blocks(4, 1500) });
  const both = allocateSide({ discomId: 'BRPL-DL', side: 'SELLER', trades: [record(t1), record(t2)], reads: r });
  assert.deepEqual(wh(both), { 't1/c': [3600], 't2/c': [2400] });
  const after = reallocate(both, { discomId: 'BRPL-DL', side: 'SELLER', trades: [record(t1), record(t2, 'CANCELLED')], reads: r });
  assert.deepEqual([wh(after.allocations), after.changed, after.withdrawn], [{ 't1/c': [6000] }, ['t1/c'], ['t2/c']]);
});

test('trades of one meter on different grids share one window (the union of overlapping intervals)', () => {
  // t1: hourly 10:00–11:00 IST, 4000 Wh; t2: 15 minutes 10:15–10:30 IST, 1000 Wh.
  // Window = the hour: metered 1000 × 4 = 4000 Wh, Σtr = 5000 → 3200 and 800.
  const t1 = trade('t1/c', ['S1', 'BRPL-DL'], ['B1', 'BRPL-DL'], [[T0, 1, 4000, 600]]);
  const t2 = trade('t2/c', ['S1', 'BRPL-DL'], ['B2', 'BRPL-DL'], [['2026-04-26T04:45:00Z', 0.25, 1000, 600]]);
  const r = reads(T0, { 'S1/EXPORT': blocks(4, 1000) });
  assert.deepEqual(wh(allocateSide({ discomId: 'BRPL-DL', side: 'SELLER', trades: [record(t1), record(t2)], reads: r })), { 't1/c': [3200], 't2/c': [800] });
});

test('no reads at all: 0 Wh and INCOMPLETE, never an exception', () => {
  const t = trade('tx/c', ['S1', 'BRPL-DL'], ['B1', 'BRPL-DL'], [[T0, 1, 10_000, 600]]);
  const [s] = allocateSide({ discomId: 'BRPL-DL', side: 'SELLER', trades: [record(t)], reads: () => undefined });
  assert.deepEqual([s!.intervals[0]!.allocatedWh, s!.status, s!.evidence], [0, 'INCOMPLETE', []]);
});
