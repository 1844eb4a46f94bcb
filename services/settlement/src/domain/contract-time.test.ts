import { test } from 'node:test';
import assert from 'node:assert/strict';
import { contractTime } from './contract-time.js';

const NOW = Date.parse('2026-11-21T12:00:00Z');
const at = (timestamp: unknown) => ({ context: { timestamp } });

test('without a backfill window the node clock judges every trade', () => {
  assert.equal(contractTime(at('2026-11-21T11:00:00Z'), NOW, 0), NOW);
});

test('a contract timestamp within the backfill window judges the trade', () => {
  assert.equal(contractTime(at('2026-11-21T11:00:00Z'), NOW, 2 * 3_600_000), Date.parse('2026-11-21T11:00:00Z'));
});

test('an older, a future or an unreadable timestamp counts for nothing', () => {
  for (const ts of ['2026-11-21T09:00:00Z', '2026-11-21T12:00:01Z', 'yesterday', 42, undefined]) assert.equal(contractTime(at(ts), NOW, 2 * 3_600_000), NOW, String(ts));
  assert.equal(contractTime(null, NOW, 3_600_000), NOW);
});
