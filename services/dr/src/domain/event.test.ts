import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { IesError } from '@ies/errors';
import { compareCodePoints, normaliseDrEvent, participatingMetersDigest } from './event.js';
import { ist } from './test-support.js';

const request = () => ({
  eventId: 'evt-2026-04-01-001',
  programmeId: 'tpddl-peak-flex',
  aggregatorId: 'greenflex-agg',
  window: { start: ist('2026-04-01', '14:00'), end: ist('2026-04-01', '14:30') },
  intervals: [
    { requestedWh: 37_500, offeredWh: 37_500, pricePaisePerKwh: 350, shortfallPenaltyPaisePerKwh: 150 },
    { requestedWh: 37_500, pricePaisePerKwh: 350, shortfallPenaltyPaisePerKwh: 150 },
  ],
  participatingMeters: ['meter-b', 'meter-a'],
  methodology: 'deg-5of10@1',
});

const problemsOf = (fn: () => unknown): string[] => {
  try {
    fn();
  } catch (err) {
    assert.ok(err instanceof IesError);
    assert.equal((err as IesError).code, 'IES_ERR_DR_EVENT_INVALID');
    return (err.details as { problems: { path: string; message: string }[] }).problems.map((p) => `${p.path}: ${p.message}`);
  }
  assert.fail('expected IES_ERR_DR_EVENT_INVALID');
};

test('a valid request is normalised: interval starts, sorted meters, digest, methodology', () => {
  const ev = normaliseDrEvent(request(), { policies: { has: (ref) => ref === 'deg-5of10@1' } });
  assert.equal(ev.eventDay, '2026-04-01');
  assert.deepEqual(ev.intervals.map((i) => i.intervalStart), [ist('2026-04-01', '14:00'), ist('2026-04-01', '14:15')]);
  assert.deepEqual(ev.intervals.map((i) => i.offeredWh), [37_500, null]);
  assert.deepEqual(ev.participatingMeters, ['meter-a', 'meter-b']);
  // sha256("meter-a\nmeter-b")
  assert.equal(ev.participatingMetersDigest, createHash('sha256').update('meter-a\nmeter-b').digest('hex'));
  assert.deepEqual(ev.methodology, { ref: 'deg-5of10@1', id: 'deg-5of10', version: 1 });
});

test('every problem of a bad request is reported with its path and numbers', () => {
  const bad = {
    ...request(),
    eventId: '',
    window: { start: ist('2026-04-01', '14:05'), end: ist('2026-04-01', '14:30') },
    intervals: [{ requestedWh: -1, pricePaisePerKwh: 3.5, shortfallPenaltyPaisePerKwh: 150, kw: 1 }],
    participatingMeters: ['m1', 'm1'],
    methodology: 'deg 5of10',
    note: 'x',
  };
  assert.deepEqual(problemsOf(() => normaliseDrEvent(bad)), [
    '$.note: unknown member',
    '$.eventId: must be an id of 1 to 128 characters of A-Z a-z 0-9 . _ : -, starting with a letter or digit, without "..", got ""',
    '$.window.start: 2026-04-01T08:35:00.000Z (14:05 IST) is not on a 15-minute boundary',
    '$.intervals[0].kw: unknown member',
    '$.intervals[0].requestedWh: must be a non-negative integer, got -1',
    '$.intervals[0].pricePaisePerKwh: must be a non-negative integer, got 3.5',
    '$.participatingMeters[1]: "m1" is listed twice',
    '$.methodology: must be a policy pack reference id@version (e.g. deg-5of10@1), got "deg 5of10"',
  ]);
});

test('the window must stay within one IST day and match the interval count', () => {
  const crossing = { ...request(), window: { start: ist('2026-04-01', '23:45'), end: ist('2026-04-02', '00:15') } };
  assert.deepEqual(problemsOf(() => normaliseDrEvent(crossing)), ['$.window: 23:45 IST on 2026-04-01 to 00:15 IST on 2026-04-02 crosses IST midnight; submit one event per IST day']);
  // Ending exactly at 24:00 IST is the same day.
  const toMidnight = { ...request(), window: { start: ist('2026-04-01', '23:30'), end: ist('2026-04-02', '00:00') } };
  assert.equal(normaliseDrEvent(toMidnight).eventDay, '2026-04-01');
  const short = { ...request(), window: { start: ist('2026-04-01', '14:00'), end: ist('2026-04-01', '15:00') } };
  assert.deepEqual(problemsOf(() => normaliseDrEvent(short)), ['$.intervals: has 2 entries but the window 14:00 IST–15:00 IST has 4 15-minute intervals']);
});

test('window bounds are instants from 1970 to 9999: a safe integer beyond a date is refused, not a crash', () => {
  // Found by the schemathesis campaign: start -8782598223112379 threw a RangeError (a 500) while the problem was being worded.
  for (const start of [-8_782_598_223_112_379, -900_000, 8_640_000_000_000_000]) {
    const problems = problemsOf(() => normaliseDrEvent({ ...request(), window: { start, end: ist('2026-04-01', '14:30') } }));
    assert.ok(problems.includes(`$.window.start: must be UTC epoch milliseconds from 1970 to 9999, got ${start}`), problems.join('; '));
  }
});

test('meters may be pinned by the DEG digest alone, and a digest beside a list must match it', () => {
  const digest = participatingMetersDigest(['meter-a', 'meter-b']);
  const { participatingMeters: _omit, ...rest } = request();
  const byDigest = normaliseDrEvent({ ...rest, participatingMetersDigest: { count: 2, sha256OfSortedIds: `sha256:${digest}` } });
  assert.equal(byDigest.participatingMeters, null);
  assert.equal(byDigest.meterCount, 2);
  assert.equal(byDigest.participatingMetersDigest, digest);
  assert.deepEqual(problemsOf(() => normaliseDrEvent({ ...request(), participatingMetersDigest: { count: 3, sha256OfSortedIds: `sha256:${'0'.repeat(64)}` } })), [
    `$.participatingMetersDigest.sha256OfSortedIds: does not match the listed meters (their digest is sha256:${digest})`,
    '$.participatingMetersDigest.count: is 3 but 2 meters are listed',
  ]);
  assert.deepEqual(problemsOf(() => normaliseDrEvent(rest)), ['$: needs participatingMeters or participatingMetersDigest']);
});

test('the digest sorts by code point, joins with newlines and refuses duplicates', () => {
  // UTF-16 order would put U+1F600 (surrogates D83D DE00) before U+FF5E; code point order puts it after.
  assert.deepEqual(['\u{1F600}', '\uFF5E', 'a'].sort(compareCodePoints), ['a', '\uFF5E', '\u{1F600}']);
  assert.equal(participatingMetersDigest(['b', 'a']), createHash('sha256').update('a\nb').digest('hex'));
  assert.equal(participatingMetersDigest(['x']), createHash('sha256').update('x').digest('hex'));
  assert.throws(() => participatingMetersDigest(['a', 'a']), /listed twice/);
});

test('ids follow the one safe grammar: no "/", "..", control or bidi characters', () => {
  for (const [key, value] of [['eventId', 'EV/1'], ['eventId', '..'], ['eventId', 'a..b'], ['programmeId', 'PEAK\u202e'], ['aggregatorId', 'AGG 1'], ['eventId', 'EV\u0000'], ['eventId', 'x'.repeat(129)]] as const) {
    const problems = problemsOf(() => normaliseDrEvent({ ...request(), [key]: value }));
    assert.equal(problems.length, 1, `${key}=${JSON.stringify(value)}: ${problems.join('; ')}`);
    assert.match(problems[0]!, new RegExp(`^\\$\\.${key}: must be an id of 1 to 128 characters`));
  }
  assert.match(problemsOf(() => normaliseDrEvent({ ...request(), participatingMeters: ['m1', '../m2'] })).join(';'), /\$\.participatingMeters\[1\]: must be a meter id of/);
  assert.equal(normaliseDrEvent({ ...request(), eventId: 'did:web:agg.example.in:events:2026-04-01.1' }).eventId, 'did:web:agg.example.in:events:2026-04-01.1');
});

test('prices, penalties and energies are bounded so an event total stays exact (no 2^53 − 1 paise)', () => {
  const iv = { requestedWh: 100_000_000, offeredWh: 100_000_000, pricePaisePerKwh: 100_000, shortfallPenaltyPaisePerKwh: 100_000 };
  const max = normaliseDrEvent({ ...request(), intervals: [iv, iv] });
  assert.equal(max.intervals[0]?.pricePaisePerKwh, 100_000);
  const over = { requestedWh: 100_000_001, offeredWh: 100_000_001, pricePaisePerKwh: Number.MAX_SAFE_INTEGER, shortfallPenaltyPaisePerKwh: 100_001 };
  assert.deepEqual(problemsOf(() => normaliseDrEvent({ ...request(), intervals: [over, iv] })), [
    '$.intervals[0].requestedWh: 100000001 is above the maximum 100000000 Wh per 15-minute interval',
    '$.intervals[0].offeredWh: 100000001 is above the maximum 100000000 Wh per 15-minute interval',
    '$.intervals[0].pricePaisePerKwh: 9007199254740991 is above the maximum 100000 paise per kWh',
    '$.intervals[0].shortfallPenaltyPaisePerKwh: 100001 is above the maximum 100000 paise per kWh',
  ]);
});
