import { test } from 'node:test';
import assert from 'node:assert/strict';
import { normaliseDrEvent } from '../domain/event.js';
import { loadPolicyRegistry } from '../policies.js';
import { ist } from '../domain/test-support.js';
import type { DrEventRecord } from '../event-store.js';
import { objectId } from './object-id.js';
import { programmesOf, toBaselineReport, toEvent, toPerformanceReport, toProgram, toResource, toVen } from './projection.js';
import { checkReportRequest, checkSubscriptionRequest } from './requests.js';
import { grantScopes } from './scopes.js';
import { openAdrValidator } from './spec-validator.js';

const spec = openAdrValidator();
const start = ist('2026-04-01', '14:00');
const event = normaliseDrEvent({
  eventId: 'evt.2026-04-01:001', programmeId: 'tpddl-peak-flex', aggregatorId: 'greenflex-agg',
  window: { start, end: start + 30 * 60_000 },
  intervals: [
    { requestedWh: 37_500, offeredWh: 37_500, pricePaisePerKwh: 350, shortfallPenaltyPaisePerKwh: 150 },
    { requestedWh: 1_250, pricePaisePerKwh: 1205, shortfallPenaltyPaisePerKwh: 0 },
  ],
  participatingMeters: ['meter-b', 'meter-a'],
  methodology: 'deg-5of10@1',
}, { policies: loadPolicyRegistry() });
const record: DrEventRecord = {
  eventId: event.eventId, discomId: 'TPDDL-DL', aggregatorId: 'greenflex-agg', programmeId: 'tpddl-peak-flex', state: 'MEASURED', version: 4, event,
  history: [
    { state: 'DRAFT', version: 1, at: start - 7_200_000, by: 'greenflex-agg', reason: null },
    { state: 'ACTIVE', version: 2, at: start - 3_600_000, by: 'greenflex-agg', reason: null },
    { state: 'BASELINED', version: 3, at: start - 3_000_000, by: 'baseline-worker', reason: null },
    { state: 'MEASURED', version: 4, at: start + 7_200_000, by: 'performance-sweep', reason: null },
  ],
};
const iso = (ms: number) => new Date(ms).toISOString();
const baselines = [
  { meterId: 'meter-a', intervalStart: iso(start), baselineWh: 1000, policy: 'deg-5of10@1' },
  { meterId: 'meter-a', intervalStart: iso(start + 900_000), baselineWh: 1100, policy: 'deg-5of10@1' },
  { meterId: 'meter-b', intervalStart: iso(start), baselineWh: null, policy: 'deg-5of10@1' },
  { meterId: 'meter-b', intervalStart: iso(start + 900_000), baselineWh: 900, policy: 'deg-5of10@1' },
];

test('an event is an OpenADR event: 15-minute intervals with the requested kW (negative), ₹/kWh price and penalty, exact Wh', () => {
  const e = toEvent(record);
  assert.equal(spec.check('event', e), null);
  assert.equal(e.id, objectId('event', 'evt.2026-04-01:001'));
  assert.match(e.id as string, /^h-[A-Za-z0-9_-]{43}$/, 'an id with dots and colons is hashed into the objectID grammar');
  assert.equal(e.programID, 'tpddl-peak-flex', 'a programme id that fits the grammar is kept');
  assert.deepEqual(e.targets, ['greenflex-agg']);
  const intervals = e.intervals as { id: number; intervalPeriod: { start: string; duration: string }; payloads: { type: string; values: number[] }[] }[];
  assert.deepEqual(intervals.map((i) => i.intervalPeriod), [{ start: '2026-04-01T08:30:00.000Z', duration: 'PT15M' }, { start: '2026-04-01T08:45:00.000Z', duration: 'PT15M' }]);
  assert.deepEqual(intervals[0]!.payloads, [
    { type: 'DISPATCH_SETPOINT_RELATIVE', values: [-150] }, { type: 'PRICE', values: [3.5] }, { type: 'IES_SHORTFALL_PENALTY', values: [1.5] }, { type: 'IES_REQUESTED_WH', values: [37_500] },
  ]);
  assert.deepEqual(intervals[1]!.payloads.map((p) => p.values[0]), [-5, 12.05, 0, 1_250]);
});

test('programmes, VENs and resources validate, and a VEN sees no other aggregator', () => {
  const enrolments = [
    { meterId: 'meter-a', discomId: 'TPDDL-DL', programmeId: 'tpddl-peak-flex', aggregatorId: 'greenflex-agg', status: 'ACTIVE' as const },
    { meterId: 'meter-z', discomId: 'TPDDL-DL', programmeId: 'tpddl-peak-flex', aggregatorId: 'other-agg', status: 'ACTIVE' as const },
    { meterId: 'meter-y', discomId: 'TPDDL-DL', programmeId: 'old', aggregatorId: 'other-agg', status: 'ENDED' as const },
  ];
  const programmes = programmesOf(enrolments, [record]);
  assert.deepEqual(programmes.map((p) => [p.programmeId, p.aggregators]), [['tpddl-peak-flex', ['greenflex-agg', 'other-agg']]]);
  const program = toProgram(programmes[0]!);
  assert.equal(spec.check('program', program), null);
  assert.equal(program.createdDateTime, iso(start - 7_200_000));
  assert.equal(spec.check('ven', toVen('TPDDL-DL', 'greenflex-agg', 'GreenFlex')), null);
  const resource = toResource('TPDDL-DL', 'greenflex-agg', 'meter-a', ['tpddl-peak-flex']);
  assert.equal(spec.check('resource', resource), null);
  assert.equal(resource.venID, 'greenflex-agg');
  assert.equal(resource.clientID, 'TPDDL-DL/greenflex-agg');
});

test('baselines and each performance version are reports with BASELINE, USAGE and DELTA_USAGE (Wh); a missing value is DATA_QUALITY MISSING', () => {
  const baseline = toBaselineReport(record, baselines, start - 3_000_000);
  assert.equal(spec.check('report', baseline), null);
  const b = baseline.resources as { resourceName: string; intervals: { payloads: { type: string; values: unknown[] }[] }[] }[];
  assert.deepEqual(b.map((r) => r.resourceName), ['meter-a', 'meter-b']);
  assert.deepEqual(b[1]!.intervals[0]!.payloads, [{ type: 'DATA_QUALITY', values: ['MISSING'] }]);
  const perf = { version: 2, computedAtMs: start + 7_000_000, meters: [{ meterId: 'meter-a', deliveredWh: [200, 0] }, { meterId: 'meter-b', deliveredWh: [0, 100] }], intervals: [{ deliveredWh: 200, shortfallWh: 37_300 }, { deliveredWh: 100, shortfallWh: 0 }] };
  const usage = new Map([['meter-a', [800, 1200]], ['meter-b', [700, 800]]]);
  const report = toPerformanceReport(record, perf, baselines, usage);
  assert.equal(spec.check('report', report), null);
  assert.equal(report.reportName, 'PERFORMANCE v2');
  const r = report.resources as { resourceName: string; intervals: { payloads: { type: string; values: unknown[] }[] }[] }[];
  assert.deepEqual(r[0]!.intervals[1]!.payloads, [{ type: 'USAGE', values: [1200] }, { type: 'BASELINE', values: [1100] }, { type: 'DELTA_USAGE', values: [100] }]);
  assert.deepEqual(r[1]!.intervals[0]!.payloads, [{ type: 'USAGE', values: [700] }, { type: 'DATA_QUALITY', values: ['MISSING'] }]);
  assert.equal(r.at(-1)!.resourceName, 'AGGREGATED_REPORT');
  assert.notEqual(report.id, toPerformanceReport(record, { ...perf, version: 3 }, baselines, usage).id, 'each performance version is a report of its own');
});

test('a VEN report must name a visible event and its meters; a subscription an http(s) callback', () => {
  const eventOf = (id: string) => (id === objectId('event', record.eventId) ? record : undefined);
  const ok = checkReportRequest({ eventID: objectId('event', record.eventId), clientName: 'greenflex', resources: [{ resourceName: 'meter-a', intervals: [{ id: 0, payloads: [{ type: 'USAGE', values: [812] }] }] }] }, eventOf);
  assert.equal(ok.event, record);
  assert.throws(() => checkReportRequest({ eventID: 'nope', clientName: 'x', resources: [] }, eventOf), /no event nope/);
  assert.throws(() => checkReportRequest({ eventID: objectId('event', record.eventId), clientName: 'x', resources: [{ resourceName: 'meter-q', intervals: [] }] }, eventOf), /meter-q is not a meter/);
  assert.throws(() => checkSubscriptionRequest({ clientName: 'x', objectOperations: [{ objects: ['EVENT'], operations: ['CREATE'], callbackUrl: 'file:///etc/passwd' }] }, () => true), /http\(s\) URL/);
  assert.throws(() => checkSubscriptionRequest({ clientName: 'x', objectOperations: [{ objects: ['EVENTS'], operations: ['CREATE'], callbackUrl: 'https://a.example/cb' }] }, () => true), /objects\[0\]/);
});

test('scopes: a VEN reads targets and its objects and writes reports and subscriptions; the BL reads all; nobody writes programs or events', () => {
  assert.deepEqual(grantScopes('AGGREGATOR', undefined), ['read_targets', 'read_ven_objects', 'write_reports', 'write_subscriptions']);
  assert.deepEqual(grantScopes('DISCOM', 'read_all'), ['read_all']);
  assert.equal(grantScopes('AGGREGATOR', 'read_all'), null);
  assert.equal(grantScopes('DISCOM', 'write_events'), null);
  assert.deepEqual(grantScopes('HEADEND', undefined), []);
});

test('the spec validator refuses what the spec refuses (a mutated event)', () => {
  const e = toEvent(record);
  assert.match(spec.check('event', { ...e, programID: 'not an id' }) ?? '', /pattern/);
  assert.match(spec.check('event', { ...e, intervals: [{ id: 0 }] }) ?? '', /payloads/);
  assert.match(spec.check('notification', { objectType: 'EVENT', operation: 'CREATE', object: { ...e, objectType: 'EVENT', programID: undefined } }) ?? '', /programID/);
  assert.equal(spec.check('notification', { objectType: 'EVENT', operation: 'CREATE', object: e }), null);
});
