import assert from 'node:assert/strict';
import test from 'node:test';
import { notaryOverdueMs } from './log-store.js';

test('a batch within its checkpoint interval is not overdue; past it, the excess is', () => {
  const now = 1_000_000;
  assert.equal(notaryOverdueMs(undefined, now), 0, 'no published backlog (stopped notary): nothing to hold ingest back for');
  assert.equal(notaryOverdueMs({ oldestUnreceiptedAcceptedAt: null, checkpointIntervalMs: 1000 }, now), 0);
  assert.equal(notaryOverdueMs({ oldestUnreceiptedAcceptedAt: now - 999, checkpointIntervalMs: 1000 }, now), 0);
  assert.equal(notaryOverdueMs({ oldestUnreceiptedAcceptedAt: now - 1000, checkpointIntervalMs: 1000 }, now), 0);
  assert.equal(notaryOverdueMs({ oldestUnreceiptedAcceptedAt: now - 1750, checkpointIntervalMs: 1000 }, now), 750);
  assert.equal(notaryOverdueMs({ oldestUnreceiptedAcceptedAt: now - 1750, checkpointIntervalMs: 5000 }, now), 0);
});
