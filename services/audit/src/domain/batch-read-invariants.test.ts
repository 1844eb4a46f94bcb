import assert from 'node:assert/strict';
import { test } from 'node:test';
import { checkBatches } from './batch-invariant.js';
import { checkReads } from './read-invariant.js';
import type { BatchRecord, StoredReadGroup } from './records.js';

const BLOCK = Date.UTC(2026, 10, 20, 18, 30);
const sha = (c: string) => c.repeat(64);
const record = (batchId: string, offset: number, bodySha256 = sha('a')): BatchRecord => ({
  position: `mb/0/${offset}`, batchId, discomId: 'AU-DL', headEndId: 'HE', receivedAt: 1, bodySha256,
  reads: [{ meterId: 'M-1', blockStart: BLOCK, channel: 'IMPORT', wh: 40, validationStatus: 'VALID', source: 'HES' }],
  rejected: [{ index: 1, meterId: 'M-2', blockStart: BLOCK, code: 'IES_ERR_VEE_NEGATIVE' }],
});
const all = () => true;

test('batches: acked once holds; missing, duplicated, altered and unacked records each fail by name', () => {
  const acked = [{ batchId: 'B1', bodySha256: sha('a'), at: 0 }, { batchId: 'B2', bodySha256: sha('a'), at: 0 }, { batchId: 'B3', bodySha256: sha('a'), at: 0 }];
  assert.deepEqual(checkBatches(acked.slice(0, 1), [record('B1', 0)], all).failures, []);
  const r = checkBatches(acked, [record('B1', 0), record('B1', 5), record('B2', 1, sha('b')), record('B9', 2)], all);
  assert.deepEqual(r.failures.map((f) => f.record), ['batch B2 at mb/0/1', 'batch B3', 'batch B1', 'batch B9 at mb/0/2']);
  assert.match(r.failures[2]!.problem, /2 times \(mb\/0\/0, mb\/0\/5\)/);
  // Another day's batch is neither checked nor unacked; an acked batch missing from the topic fails in every day.
  const otherDay = (r: BatchRecord) => r.batchId !== 'B2';
  assert.deepEqual(checkBatches(acked.slice(1), [record('B2', 1, sha('b'))], otherDay).failures.map((f) => f.record), ['batch B3']);
  // Without a ledger only duplicates can be judged.
  assert.deepEqual(checkBatches(undefined, [record('B1', 0), record('B9', 2)], all).failures, []);
});

test('reads: each accepted read once with its Wh; an extra version, a wrong Wh and a missing dead letter fail', () => {
  const row = (over: Partial<StoredReadGroup> = {}): StoredReadGroup => ({ meterId: 'M-1', blockStart: BLOCK, channel: 'IMPORT', batchId: 'B1', copies: 1, whs: [40], indexes: [0], ...over });
  const letter = { position: 'dl/0/0', sourceId: 'B1#1', stage: 'gateway', code: 'IES_ERR_VEE_NEGATIVE', context: {} };
  assert.deepEqual(checkReads([record('B1', 0)], [row({ copies: 2 })], [letter]).failures, []);
  const r = checkReads([record('B1', 0)], [row({ whs: [40, 41] }), row({ batchId: 'B1-copy' })], [letter, { ...letter, position: 'dl/0/1' }]);
  assert.deepEqual(r.failures.map((f) => f.record), [
    `read M-1 ${new Date(BLOCK).toISOString()} IMPORT of batch B1`,
    `read M-1 ${new Date(BLOCK).toISOString()} IMPORT of batch B1-copy`,
    'rejected read B1#1',
  ]);
  // Reads out of the day's scope are not expected (the rows query leaves them out too).
  assert.deepEqual(checkReads([record('B1', 0)], [], [letter], () => false).failures, []);
  const missing = checkReads([record('B1', 0)], [], []);
  assert.deepEqual(missing.failures.map((f) => f.problem), ['accepted (leaf 0, 40 Wh) but not in ClickHouse reads', 'rejected with IES_ERR_VEE_NEGATIVE but not on dead-letter.v1']);
});
