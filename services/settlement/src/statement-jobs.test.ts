import { test } from 'node:test';
import assert from 'node:assert/strict';
import { dueDays, runJobId } from './statement-jobs.js';

const H = 3_600_000;
// 2026-04-27 00:00 IST = 2026-04-26T18:30Z.
const MIDNIGHT_27 = Date.parse('2026-04-26T18:30:00Z');

test('a day is due once it ended grace ago; the window reaches back windowDays days', () => {
  assert.deepEqual(dueDays(MIDNIGHT_27 + 6 * H, 6 * H, 3), ['2026-04-24', '2026-04-25', '2026-04-26']);
  assert.deepEqual(dueDays(MIDNIGHT_27 + 6 * H - 1, 6 * H, 3), ['2026-04-23', '2026-04-24', '2026-04-25']);
  assert.deepEqual(dueDays(MIDNIGHT_27, 0, 1), ['2026-04-26']);
});

test('job ids are fixed by DISCOM and scope, and contain no colon (bullmq refuses them)', () => {
  assert.equal(runJobId('BRPL-DL', { kind: 'DAY', day: '2026-04-26' }), 'stmt.BRPL-DL.day.2026-04-26');
  assert.equal(runJobId('BRPL-DL', { kind: 'DR_EVENT', eventId: 'ev:1/a' }), 'stmt.BRPL-DL.dr.ev%3A1%2Fa');
});
