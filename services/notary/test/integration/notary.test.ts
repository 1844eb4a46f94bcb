import { strict as assert } from 'node:assert';
import { after, test } from 'node:test';
import { createLogger } from '@ies/observability';
import { eventually, nullStream } from '@ies/testing';
import { startNotaryService } from '../../src/index.js';
import { receiptFromJws, verifyCheckpointConsistency, verifyReceipt } from '@ies/verify';
import { checkpointSize, notaryFixture } from './support.js';

const fx = await notaryFixture();
const fatal: Error[] = [];
const service = await startNotaryService(fx.env, { onFatal: (e) => fatal.push(e), logger: createLogger({ name: 'it', level: 'silent' }, nullStream()) });
after(async () => {
  await service.stop();
  await fx.close();
});

test('batches become log entries with verifiable receipts; a duplicate batch is not appended twice', async () => {
  const first = await fx.produceBatch();
  const firstCheckpoint = await eventually(async () => fx.store.checkpoint(), 20_000, 'first checkpoint');
  const ids = [first];
  for (let i = 0; i < 20; i++) ids.push(await fx.produceBatch({ reads: 1 + (i % 7) }));
  await fx.produceBatch({ batchId: ids[5] }); // redelivered by an upstream retry
  const last = await eventually(async () => {
    const cp = await fx.store.checkpoint();
    return cp && checkpointSize(cp) === ids.length ? cp : undefined;
  }, 30_000, 'all batches notarised');
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
