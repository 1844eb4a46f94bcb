// Conformance with the DEG demand-flex example payloads (beckn/DEG, CC BY-NC-SA; read from
// ../shared/fixtures beside the repository, never copied into it). The DEG grid is 30-minute
// intervals in kW and INR/kWh; each maps to two 15-minute intervals in Wh and paise/kWh.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { loadPolicyRegistry } from '../policies.js';
import { intervalsInDuration, kwToWhPerInterval, rupeesToPaise } from './deg-units.js';
import { normaliseDrEvent, participatingMetersDigest } from './event.js';
import { sharedFixture } from '@ies/testing';
import { BLOCK_MS } from '@ies/units';
import { computeEventPerformance } from './performance.js';

const DIR = sharedFixture('deg-demand-flex/');
const registry = loadPolicyRegistry();

/* eslint-disable @typescript-eslint/no-explicit-any -- walking third-party JSON */
const load = (name: string): any => JSON.parse(readFileSync(new URL(name, DIR), 'utf8'));
const payload = (interval: any, type: string): number | undefined => interval.payloads.find((p: any) => p.type === type)?.values[0];

interface Grid {
  start: number;
  per: number; // 15-minute intervals per DEG interval
  ids: number[];
}

function gridOf(series: any): Grid {
  return { start: Date.parse(series.intervalPeriod.start), per: intervalsInDuration(series.intervalPeriod.duration), ids: series.intervals.map((i: any) => i.id) };
}

/** Each DEG interval value repeated over its 15-minute intervals. */
function spread<T>(grid: Grid, valueOf: (id: number) => T): T[] {
  return grid.ids.flatMap((id) => new Array<T>(grid.per).fill(valueOf(id)));
}

function commitmentOf(doc: any): any {
  return doc.message.contract.commitments[0];
}

function eventRequestFrom(doc: any, eventId: string): unknown {
  const commitment = commitmentOf(doc);
  const need = commitment.resources[0].resourceAttributes;
  const offered = commitment.commitmentAttributes;
  const grid = gridOf(need);
  const needOf = (id: number) => need.intervals.find((i: any) => i.id === id);
  const offeredOf = (id: number) => offered.intervals.find((i: any) => i.id === id);
  const inputs = commitment.offer.offerAttributes.inputs;
  const buyer = inputs.find((i: any) => i.role === 'buyer').inputs;
  const seller = inputs.find((i: any) => i.role === 'seller').inputs;
  const { bestOf, outOf } = buyer.baselineMethodology;
  return {
    eventId,
    programmeId: commitment.resources[0].id,
    aggregatorId: inputs.find((i: any) => i.role === 'seller').participantId,
    window: { start: grid.start, end: grid.start + grid.ids.length * grid.per * BLOCK_MS },
    intervals: spread(grid, (id) => ({
      requestedWh: kwToWhPerInterval(payload(needOf(id), 'CAPACITY_REQUESTED')!),
      offeredWh: kwToWhPerInterval(payload(offeredOf(id), 'CAPACITY_OFFERED')!),
      pricePaisePerKwh: rupeesToPaise(payload(needOf(id), 'PRICE')!),
      shortfallPenaltyPaisePerKwh: rupeesToPaise(payload(needOf(id), 'SHORTFALL_PENALTY')!),
    })),
    participatingMeters: seller.participatingMeters,
    methodology: `deg-${bestOf}of${outOf}@1`,
  };
}

test('confirm-request maps onto a valid DR event with a loaded DEG methodology', () => {
  const ev = normaliseDrEvent(eventRequestFrom(load('confirm-request.json'), 'evt-2026-04-01-001'), { policies: registry });
  // intervalPeriod 2026-04-01T08:30:00Z = 14:00 IST, two PT30M intervals → four 15-minute intervals.
  assert.equal(ev.eventDay, '2026-04-01');
  assert.equal(ev.intervals.length, 4);
  // 150 kW for 15 minutes = 37 500 Wh; 3.5 INR/kWh = 350 paise/kWh; 1.5 → 150.
  assert.deepEqual(ev.intervals.map((i) => [i.requestedWh, i.offeredWh, i.pricePaisePerKwh, i.shortfallPenaltyPaisePerKwh]), [
    [37_500, 37_500, 350, 150], [37_500, 37_500, 350, 150], [50_000, 30_000, 400, 150], [50_000, 30_000, 400, 150],
  ]);
  assert.equal(ev.methodology.ref, 'deg-5of10@1');
  assert.deepEqual(ev.participatingMeters, ['did:web:tpddl.delhi.gov.in:meters:001', 'did:web:tpddl.delhi.gov.in:meters:002']);
  assert.equal(ev.participatingMetersDigest, participatingMetersDigest(['did:web:tpddl.delhi.gov.in:meters:002', 'did:web:tpddl.delhi.gov.in:meters:001']));
});

test('performance methodology "5of10" and buyer baselineMethodology {bestOf 5, outOf 10} name the same pack', () => {
  for (const name of ['on-status-response-baselines.json', 'on-status-response-actuals.json']) {
    const doc = load(name);
    const { methodology } = doc.message.contract.performance[0].performanceAttributes;
    const [bestOf, outOf] = /^(\d+)of(\d+)$/.exec(methodology)!.slice(1);
    const ref = `deg-${bestOf}of${outOf}@1`;
    assert.ok(registry.has(ref), `${name}: ${ref}`);
    const { baselineMethodology } = commitmentOf(doc).offer.offerAttributes.inputs.find((i: any) => i.role === 'buyer').inputs;
    assert.equal(`deg-${baselineMethodology.bestOf}of${baselineMethodology.outOf}@1`, ref);
  }
});

test('actuals settle to the DEG contract-policy figure: 436.25 INR = 43 625 paise', () => {
  // DEG demand-flex-contractpolicy.rego on these numbers:
  //   slot 0: delivered (75−5)+(75−5) = 140 kW, offered 150: pay 140 × 0.5 h × 3.5 = 245, penalty 10 × 0.5 × 1.5 = 7.5
  //   slot 1: delivered (100−50)+(100−55) = 105 kW, offered 120: pay 105 × 0.5 × 4.0 = 210, penalty 15 × 0.5 × 1.5 = 11.25
  //   total = 245 − 7.5 + 210 − 11.25 = 436.25 INR.
  const doc = load('on-status-response-actuals.json');
  const ev = normaliseDrEvent(eventRequestFrom(doc, 'evt-2026-04-01-001'));
  const perf = doc.message.contract.performance[0].performanceAttributes;
  const meters = perf.meters.map((m: any) => {
    const grid = gridOf(m.telemetry);
    const at = (id: number, type: string) => payload(m.telemetry.intervals.find((i: any) => i.id === id), type);
    return {
      meterId: m.meterId,
      baselineWh: spread(grid, (id) => kwToWhPerInterval(at(id, 'BASELINE')!)),
      usageWh: spread(grid, (id) => kwToWhPerInterval(at(id, 'USAGE')!)),
    };
  });
  const result = computeEventPerformance({ intervals: ev.intervals.map((i) => ({ ...i, offeredWh: i.offeredWh! })), meters });
  // 140 kW for 15 minutes = 35 000 Wh; 105 kW = 26 250 Wh.
  assert.deepEqual(result.intervals.map((i) => i.deliveredWh), [35_000, 35_000, 26_250, 26_250]);
  assert.deepEqual([result.totals.paymentPaise, result.totals.penaltyPaise, result.totals.netPaise], [45_500, 1_875, 43_625]);
  assert.equal(result.complete, true);
});

test('a DEG participatingMetersDigest (bulk cohort, no inline list) is accepted as the meter reference', () => {
  for (const name of ['on-status-response-actuals-paged-push.json', 'on-status-response-actuals-paged-pull.json']) {
    const doc = load(name);
    const seller = commitmentOf(doc).offer.offerAttributes.inputs.find((i: any) => i.role === 'seller').inputs;
    assert.equal(seller.participatingMeters, undefined);
    const { participatingMeters: _none, ...request } = eventRequestFrom(doc, 'evt-bulk') as Record<string, unknown>;
    const ev = normaliseDrEvent({ ...request, participatingMetersDigest: seller.participatingMetersDigest });
    // The fixture's digest pins a 12 000-meter cohort whose ids are not published, so only
    // its form and count can be checked, not its value.
    assert.equal(ev.meterCount, 12_000);
    assert.equal(`sha256:${ev.participatingMetersDigest}`, seller.participatingMetersDigest.sha256OfSortedIds);
    assert.equal(ev.participatingMeters, null);
  }
});
