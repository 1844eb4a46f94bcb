import { test } from 'node:test';
import assert from 'node:assert/strict';
import { dueDays, runJobId, sweepWindowDays } from './statement-jobs.js';
import type { PolicyPack } from './domain/policy-pack.js';

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

test('a calendar DISCOM\'s sweep reaches back to its last run; a run names its job', () => {
  const pack = (discomId: string, minutes: number[]) => ({ discomId, calendar: { runs: minutes.map((m, i) => ({ name: `R${i}`, cutoffMinutesAfterDayEnd: m, missingData: 'ZERO_PENDING' })) } }) as unknown as PolicyPack;
  const packs = [pack('BRPL-DL', [1440, 7200, 43_200]), pack('TPDDL-DL', [60]), { discomId: 'PVVNL-UP' } as PolicyPack];
  assert.equal(sweepWindowDays(packs, 'BRPL-DL', 7), 31, 'FINAL at D+30 cuts off 30 days after the day ends: 31 days back');
  assert.equal(sweepWindowDays(packs, 'TPDDL-DL', 7), 7);
  assert.equal(sweepWindowDays(packs, 'PVVNL-UP', 7), 7);
  assert.equal(runJobId('BRPL-DL', { kind: 'DAY', day: '2026-04-26' }, 'R1'), 'stmt.BRPL-DL.day.2026-04-26.R1');
});
