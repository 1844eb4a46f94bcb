import { strict as assert } from 'node:assert';
import { test } from 'node:test';
import { servingSchedule } from './ingest-schedule.js';

test('ingest phases alternate ABBA and have as many on as off', () => {
  assert.deepEqual(servingSchedule(1), [false, true]);
  assert.deepEqual(servingSchedule(3), [false, true, true, false, false, true]);
  for (const rounds of [1, 2, 5]) {
    const s = servingSchedule(rounds);
    assert.equal(s.length, 2 * rounds);
    assert.equal(s.filter(Boolean).length, rounds);
  }
  assert.throws(() => servingSchedule(0));
});
