import { test } from 'node:test';
import assert from 'node:assert/strict';
import { IesError } from '@ies/errors';
import { computeEventPerformance, meterDelivery } from './performance.js';
import { ist } from './test-support.js';

const t0 = ist('2026-04-01', '14:00');
const t1 = ist('2026-04-01', '14:15');

test('delivered per meter and interval is max(0, baseline − usage); missing data delivers nothing, with a reason', () => {
  const d = meterDelivery({ meterId: 'm', baselineWh: [1000, 1000, null, 800], usageWh: [400, 1200, 100, null] });
  assert.deepEqual(d.deliveredWh, [600, 0, 0, 0]);
  assert.deepEqual(d.status, ['OK', 'OK', 'NO_BASELINE', 'NO_USAGE']);
  assert.equal(d.totalDeliveredWh, 600);
});

test('DEG formula per interval: payment on min(delivered, offered), penalty on the shortfall, totals rounded once', () => {
  // Interval 0: meters deliver 600 + 333 = 933 Wh against 1000 offered.
  //   eligible 933, shortfall 67; payment 933 × 357 = 333 081 millipaise; penalty 67 × 125 = 8375.
  // Interval 1: 1100 + 0 (usage above baseline) = 1100 against 1000 offered.
  //   eligible 1000, shortfall 0; payment 1000 × 357 = 357 000; penalty 0.
  // Totals: payment 690 081 millipaise = 690.081 paise → 690; penalty 8375 → 8.375 → 8; net 682.
  const perf = computeEventPerformance({
    intervals: [
      { intervalStart: t0, offeredWh: 1000, pricePaisePerKwh: 357, shortfallPenaltyPaisePerKwh: 125 },
      { intervalStart: t1, offeredWh: 1000, pricePaisePerKwh: 357, shortfallPenaltyPaisePerKwh: 125 },
    ],
    meters: [
      { meterId: 'a', baselineWh: [1000, 1500], usageWh: [400, 400] },
      { meterId: 'b', baselineWh: [1333, 900], usageWh: [1000, 950] },
    ],
  });
  assert.deepEqual(perf.intervals.map((i) => [i.deliveredWh, i.eligibleWh, i.shortfallWh, i.paymentMillipaise, i.penaltyMillipaise]), [
    [933, 933, 67, 333_081, 8_375],
    [1100, 1000, 0, 357_000, 0],
  ]);
  assert.deepEqual(perf.totals, { deliveredWh: 2033, offeredWh: 2000, eligibleWh: 1933, shortfallWh: 67, paymentMillipaise: 690_081, penaltyMillipaise: 8_375, paymentPaise: 690, penaltyPaise: 8, netPaise: 682 });
  assert.equal(perf.complete, true);
});

test('half-even on the total: 12.5 paise → 12, 13.5 paise → 14', () => {
  const run = (wh: number) => computeEventPerformance({ intervals: [{ intervalStart: t0, offeredWh: wh, pricePaisePerKwh: 500, shortfallPenaltyPaisePerKwh: 0 }], meters: [{ meterId: 'a', baselineWh: [wh], usageWh: [0] }] }).totals.paymentPaise;
  assert.equal(run(25), 12); // 25 Wh × 500 = 12 500 millipaise = 12.5 paise
  assert.equal(run(27), 14); // 13 500 millipaise = 13.5 paise
});

test('unverified meter-intervals make the measurement incomplete and are counted', () => {
  const perf = computeEventPerformance({
    intervals: [{ intervalStart: t0, offeredWh: 100, pricePaisePerKwh: 100, shortfallPenaltyPaisePerKwh: 100 }],
    meters: [{ meterId: 'a', baselineWh: [null], usageWh: [5] }, { meterId: 'b', baselineWh: [90], usageWh: [10] }],
  });
  assert.equal(perf.complete, false);
  assert.deepEqual([perf.intervals[0]!.metersVerified, perf.intervals[0]!.metersUnverified, perf.intervals[0]!.deliveredWh, perf.intervals[0]!.shortfallWh], [1, 1, 80, 20]);
});

test('malformed performance input lists every problem', () => {
  assert.throws(
    () => computeEventPerformance({
      intervals: [{ intervalStart: t0 + 1, offeredWh: -5, pricePaisePerKwh: 1.5, shortfallPenaltyPaisePerKwh: 0 }],
      meters: [{ meterId: 'a', baselineWh: [1, 2], usageWh: [-1] }],
    }),
    (err: unknown) => {
      assert.ok(err instanceof IesError);
      assert.deepEqual(((err.details as { problems: { path: string }[] }).problems).map((p) => p.path), [
        '$.intervals[0].intervalStart', '$.intervals[0].offeredWh', '$.intervals[0].pricePaisePerKwh', '$.meters[0].baselineWh', '$.meters[0].usageWh[0]',
      ]);
      return true;
    },
  );
});
