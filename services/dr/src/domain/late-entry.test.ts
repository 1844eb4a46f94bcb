import { test } from 'node:test';
import assert from 'node:assert/strict';
import { dispatchTiming } from './late-entry.js';

const start = Date.UTC(2026, 11, 2, 12, 30); // 18:00 IST

test('an event is dispatched ahead of its window; from the window start on it is a late entry', () => {
  assert.deepEqual(dispatchTiming(start, start - 1), { late: false });
  const atStart = dispatchTiming(start, start);
  assert.ok(atStart.late);
  const dayAfter = dispatchTiming(start, start + 24 * 3_600_000);
  assert.ok(dayAfter.late && /late entry: the window started 2026-12-02T12:30:00.000Z, 1440 min before it was lodged/.test(dayAfter.reason));
});
