import { test } from 'node:test';
import assert from 'node:assert/strict';
import { durationMs, formatOffsetTime, isDuration, isFullDate, parseOffsetTime } from './timestamps.js';

test('RFC 3339 date-times with an offset parse to UTC epoch ms', () => {
  assert.deepEqual(parseOffsetTime('2026-05-04T09:00:00+05:30'), { ms: Date.parse('2026-05-04T03:30:00Z'), zone: '+05:30', offsetMinutes: 330, subMillisecond: false });
  assert.equal(parseOffsetTime('2026-05-04T03:30:00Z')?.ms, Date.parse('2026-05-04T03:30:00Z'));
  assert.equal(parseOffsetTime('2026-05-04t03:30:00z')?.ms, Date.parse('2026-05-04T03:30:00Z'));
  assert.equal(parseOffsetTime('2026-05-03T23:30:00-04:00')?.ms, Date.parse('2026-05-04T03:30:00Z'));
  assert.equal(parseOffsetTime('2026-05-04T03:30:00.5Z')?.ms, Date.parse('2026-05-04T03:30:00.500Z'));
  assert.equal(parseOffsetTime('2026-05-04T03:30:00.0000001Z')?.subMillisecond, true);
  assert.equal(parseOffsetTime('2026-05-04T03:30:00.000000Z')?.subMillisecond, false);
  assert.equal(parseOffsetTime('2028-02-29T00:00:00Z')?.ms, Date.parse('2028-02-29T00:00:00Z'));
});

test('date-times without an offset, seconds or a real calendar date are refused', () => {
  for (const bad of ['2026-05-04T09:00:00', '2026-05-04T09:00+05:30', '2026-05-04 09:00:00Z', '2026-02-29T00:00:00Z', '2026-13-01T00:00:00Z', '2026-05-04T24:00:00Z', '2026-05-04T09:60:00Z', '2026-05-04T09:00:00+24:00', '2026-05-04', '']) {
    assert.equal(parseOffsetTime(bad), undefined, bad);
  }
});

test('times are quoted back in the sender\'s offset', () => {
  const ms = Date.parse('2026-05-04T03:45:00Z');
  assert.equal(formatOffsetTime(ms, '+05:30', 330), '2026-05-04T09:15:00+05:30');
  assert.equal(formatOffsetTime(ms, 'Z', 0), '2026-05-04T03:45:00Z');
  assert.equal(formatOffsetTime(ms + 7, '-04:00', -240), '2026-05-03T23:45:00.007-04:00');
});

test('full dates and ISO 8601 durations', () => {
  assert.ok(isFullDate('2026-05-21'));
  assert.ok(!isFullDate('2026-02-30'));
  for (const d of ['PT15M', 'PT30M', 'P1D', 'P1M', 'P15D', 'PT345H30M', 'PT12H', 'P7D', 'P1Y2M', 'PT0.5S', 'P2W']) assert.ok(isDuration(d), d);
  for (const d of ['P', 'PT', '15M', 'PT15', 'P1H', '']) assert.ok(!isDuration(d), d);
  assert.equal(durationMs('PT15M'), 900_000);
  assert.equal(durationMs('PT900S'), 900_000);
  assert.equal(durationMs('PT30M'), 1_800_000);
  assert.equal(durationMs('P1D'), 86_400_000);
  assert.equal(durationMs('PT345H30M'), (345 * 60 + 30) * 60_000);
  assert.equal(durationMs('P1M'), undefined);
  assert.equal(durationMs('PT0.25H'), undefined);
});
