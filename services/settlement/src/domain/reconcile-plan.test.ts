import { test } from 'node:test';
import assert from 'node:assert/strict';
import { allocateSide, reallocate } from './allocation.js';
import { fingerprintsToRemember, meterFingerprint, planLoad, reallocationInputs, sideScope, sidesToSign } from './reconcile-plan.js';
import { H, at, blocks, reads, record, trade } from './test-support.test.js';

// Seller S1 (BRPL-DL) sells to B1 (BRPL-DL) 10:00–11:00 and to B2 (TPDDL-DL) 11:00–12:00 IST;
// S2 (BRPL-DL) sells to B1 on the next day, still open.
const t1 = record(trade('tx1/c', ['S1', 'BRPL-DL'], ['B1', 'BRPL-DL'], [['2026-04-26T04:30:00Z', 1, 1000, 600]]));
const t2 = record(trade('tx2/c', ['S1', 'BRPL-DL'], ['B2', 'TPDDL-DL'], [['2026-04-26T05:30:00Z', 1, 2000, 600]]));
const t3 = record(trade('tx3/c', ['S2', 'BRPL-DL'], ['B1', 'BRPL-DL'], [['2026-04-27T04:30:00Z', 1, 500, 600]]));
const cancelled = record(trade('tx4/c', ['S3', 'BRPL-DL'], ['B1', 'BRPL-DL'], [['2026-04-26T04:30:00Z', 1, 500, 600]]), 'CANCELLED');
const NOW = at('2026-04-26T08:00:00Z');
const GRACE = H;

test('scope: the live trades of the DISCOM on the side; due once the window ended grace ago', () => {
  const scope = sideScope('BRPL-DL', 'SELLER', [t1, t2, t3, cancelled], NOW, GRACE)!;
  assert.deepEqual(scope.live.map((r) => r.trade.tradeId), ['tx1/c', 'tx2/c', 'tx3/c']);
  assert.deepEqual([...scope.due], ['tx1/c', 'tx2/c']);
  assert.deepEqual([...scope.byMeter.keys()], ['S1', 'S2']);
  assert.equal(scope.fromMs, at('2026-04-26T04:30:00Z'));
  assert.equal(scope.toMs, at('2026-04-27T05:30:00Z'));
  // tx1 ends 05:30Z: with 1 h grace it is not due at 06:00Z, so there is nothing to do.
  assert.equal(sideScope('BRPL-DL', 'SELLER', [t1, t2], at('2026-04-26T06:00:00Z'), GRACE), undefined);
  assert.equal(sideScope('TPDDL-DL', 'SELLER', [t1, t2], NOW, GRACE), undefined);
});

test('load: meters whose reads or terms changed, or with a due trade and no side held', () => {
  const scope = sideScope('BRPL-DL', 'SELLER', [t1, t2, t3], NOW, GRACE)!;
  const fp = new Map([['S1', new Map([[at('2026-04-26T00:00:00Z'), 'r1']])], ['S2', new Map<number, string>()]]);
  const s1 = meterFingerprint(scope, 'S1', fp.get('S1'));
  assert.equal(s1, `${at('2026-04-26T00:00:00Z')}=r1|tx1/c:1000:due,tx2/c:2000:due`);
  const s2 = meterFingerprint(scope, 'S2', fp.get('S2'));
  const sides = allocateSide({ discomId: 'BRPL-DL', side: 'SELLER', trades: [t1, t2], reads: reads('2026-04-26T04:30:00Z', { 'S1/EXPORT': blocks(8, 400) }) });
  const held = new Map(sides.map((a) => [a.tradeId, a]));
  // Same fingerprints and both due sides held: nothing to load.
  assert.deepEqual(planLoad(scope, held, fp, [s1, s2]).load, []);
  // A revised read of S1 changes its fingerprint.
  const revised = new Map([...fp, ['S1', new Map([[at('2026-04-26T00:00:00Z'), 'r2']])]]);
  assert.deepEqual(planLoad(scope, held, revised, [s1, s2]).load, ['S1']);
  // A due trade without a held side loads its meter even when nothing changed.
  assert.deepEqual(planLoad(scope, new Map([...held].slice(0, 1)), fp, [s1, s2]).load, ['S1']);
  // Never seen before: every meter.
  assert.deepEqual(planLoad(scope, held, fp, [null, null]).load, ['S1', 'S2']);
});

test('sides to sign: new versions of due trades on proven meters, sent to the other DISCOM', () => {
  const scope = sideScope('BRPL-DL', 'SELLER', [t1, t2, t3], NOW, GRACE)!;
  const plan = planLoad(scope, new Map(), new Map(), [null, null]);
  const { previous, trades } = reallocationInputs(scope, new Map(), plan.load);
  assert.deepEqual(previous, []);
  assert.equal(trades.length, 3);
  const result = reallocate(previous, { discomId: 'BRPL-DL', side: 'SELLER', trades, reads: reads('2026-04-26T04:30:00Z', { 'S1/EXPORT': blocks(8, 400), 'S2/EXPORT': blocks(100, 10) }) });
  const toSign = sidesToSign(scope, result, new Set());
  assert.deepEqual(toSign.map((s) => [s.allocation.tradeId, s.sendTo]), [['tx1/c', undefined], ['tx2/c', 'TPDDL-DL']]);
  // Unchanged on the next sweep: nothing to sign.
  assert.deepEqual(sidesToSign(scope, reallocate(result.allocations, { discomId: 'BRPL-DL', side: 'SELLER', trades, reads: reads('2026-04-26T04:30:00Z', { 'S1/EXPORT': blocks(8, 400), 'S2/EXPORT': blocks(100, 10) }) }), new Set()), []);
  // A meter with a read not yet receipted waits, and its fingerprint is not remembered.
  assert.deepEqual(sidesToSign(scope, result, new Set(['S1'])), []);
  assert.deepEqual(Object.keys(fingerprintsToRemember(plan, new Set(['S1']))), ['S2']);
});
