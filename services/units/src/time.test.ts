import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatDuration, parseDuration, parseInstant } from './instant.js';
import { istDayOf, istDayStart } from './ist.js';

test('time: RFC 3339 instants with offsets, durations, IST days', () => {
  assert.equal(parseInstant('2026-04-26T10:00:00+05:30'), Date.UTC(2026, 3, 26, 4, 30));
  assert.equal(parseInstant('2026-04-26T04:30:00.250Z'), Date.UTC(2026, 3, 26, 4, 30, 0, 250));
  for (const bad of ['2026-02-30T00:00:00Z', '2026-04-26T04:30:00', '2026-04-26T24:00:00Z', 'tomorrow']) assert.equal(parseInstant(bad), undefined, bad);
  assert.equal(parseDuration('PT1H'), 3_600_000);
  assert.equal(parseDuration('P1DT30M'), 88_200_000);
  for (const bad of ['P1M', 'P1Y', 'PT', 'P', 'PT1.5H', '1H']) assert.equal(parseDuration(bad), undefined, bad);
  assert.deepEqual(['PT15M', 'PT1H', 'PT1H30M', 'P1D'].map((d) => formatDuration(parseDuration(d)!)), ['PT15M', 'PT1H', 'PT1H30M', 'P1D']);
  // Block 1 of the IST day starts 18:30Z the day before; 18:29:59Z is still the previous day.
  assert.equal(istDayStart('2026-04-26'), Date.UTC(2026, 3, 25, 18, 30));
  assert.equal(istDayOf(Date.UTC(2026, 3, 25, 18, 30)), '2026-04-26');
  assert.equal(istDayOf(Date.UTC(2026, 3, 25, 18, 29, 59)), '2026-04-25');
  assert.equal(istDayStart('2026-02-29'), undefined);
});
