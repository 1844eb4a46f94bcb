import { strict as assert } from 'node:assert';
import { createHash } from 'node:crypto';
import { test } from 'node:test';
import { receiptFromJws, verifyCheckpointConsistency, verifyReceipt } from '@ies/verify';
import { runningNotary, checkpointAt } from './support.js';

const { fx, fatal } = await runningNotary();

async function loseTenantLogState(): Promise<number> {
  // What FLUSHALL does to this tenant, without touching the shared Redis's other tenants.
  const keys = await fx.redis.keys(`ies:${fx.tenant}:log:*`);
  return keys.length === 0 ? 0 : fx.redis.del(...keys);
}

test('Redis losing the log projection while the notary runs: rebuilt from receipts.v1 before the next append, no batch appended twice, the log consistent', async () => {
  const ids = [await fx.produceBatch()];
  for (let i = 0; i < 6; i++) ids.push(await fx.produceBatch({ reads: 1 + i }));
  const before = await checkpointAt(fx, ids.length, 'first batches notarised', 30_000);
  assert.ok((await loseTenantLogState()) > 0, 'the tenant had log state to lose');
  await fx.produceBatch({ batchId: ids[2] }); // redelivered after the loss: its receipt is gone from Redis
  for (let i = 0; i < 3; i++) ids.push(await fx.produceBatch({ reads: 2 }));
  const after = await checkpointAt(fx, ids.length, 'batches after the loss notarised', 30_000);
  const trust = await fx.trust();
  for (const id of ids) {
    const jws = await fx.store.receipt(id);
    assert.ok(jws, `receipt of ${id} is served again`);
    const result = await verifyReceipt(receiptFromJws(jws), trust);
    assert.ok(result.ok, result.ok ? '' : result.reason);
  }
  const consistency = verifyCheckpointConsistency(before, after, await fx.consistency(before, after), trust);
  assert.ok(consistency.ok, consistency.ok ? '' : consistency.reason);
  const records = await fx.committedReceipts();
  assert.deepEqual(records.map((r) => r.logIndex), ids.map((_, i) => i), 'one entry per batch, in order');
  assert.deepEqual(new Set(records.map((r) => r.batchId)), new Set(ids));
  // The entry bundle (c2sp.org/tlog-tiles) is rebuilt too: each entry hashes to its leaf in the level-0 tile.
  const entries = await fx.store.bundleEntries(0, ids.length);
  const leaves = await fx.store.tile(0, 0, ids.length);
  assert.ok(entries && leaves, 'entries and tile rebuilt');
  entries.forEach((e, i) => {
    assert.equal(JSON.parse(e.toString()).batchId, records[i]!.batchId, `entry ${i}`);
    assert.deepEqual(createHash('sha256').update(Uint8Array.of(0)).update(e).digest(), leaves.subarray(i * 32, (i + 1) * 32), `leaf ${i}`);
  });
  assert.deepEqual(fatal, []);
});
