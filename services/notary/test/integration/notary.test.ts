import { strict as assert } from 'node:assert';
import { test } from 'node:test';
import { eventually } from '@ies/testing';
import { receiptFromJws, verifyCheckpointConsistency, verifyReceipt } from '@ies/verify';
import { runningNotary, checkpointAt } from './support.js';

const { fx, fatal } = await runningNotary();

test('batches become log entries with verifiable receipts; a duplicate batch is not appended twice', async () => {
  const first = await fx.produceBatch();
  const firstCheckpoint = await eventually(async () => fx.store.checkpoint(), 20_000, 'first checkpoint');
  const ids = [first];
  for (let i = 0; i < 20; i++) ids.push(await fx.produceBatch({ reads: 1 + (i % 7) }));
  await fx.produceBatch({ batchId: ids[5] }); // redelivered by an upstream retry
  const last = await checkpointAt(fx, ids.length, 'all batches notarised', 30_000);
  const trust = await fx.trust();
  for (const id of ids) {
    const jws = await fx.store.receipt(id);
    assert.ok(jws, `receipt of ${id}`);
    const result = await verifyReceipt(receiptFromJws(jws), trust);
    assert.ok(result.ok, result.ok ? '' : result.reason);
  }
  const consistency = verifyCheckpointConsistency(firstCheckpoint, last, await fx.consistency(firstCheckpoint, last), trust);
  assert.ok(consistency.ok, consistency.ok ? '' : consistency.reason);
  const records = await fx.committedReceipts();
  assert.deepEqual(records.map((r) => r.logIndex), ids.map((_, i) => i));
  assert.deepEqual(new Set(records.map((r) => r.batchId)), new Set(ids));
  assert.deepEqual(fatal, []);
});
