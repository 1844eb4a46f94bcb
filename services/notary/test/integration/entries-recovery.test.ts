import { strict as assert } from 'node:assert';
import { createHash } from 'node:crypto';
import { after, test } from 'node:test';
import { createLogger } from '@ies/observability';
import { nullStream } from '@ies/testing';
import { startNotaryService } from '../../src/index.js';
import { checkpointAt, notaryFixture } from './support.js';

const fx = await notaryFixture();
after(() => fx.close());
const start = () => startNotaryService(fx.env, { onFatal: (e) => assert.fail(e), logger: createLogger({ name: 'it', level: 'silent' }, nullStream()) });

test('a projection without entry bytes (written before entry bundles were served) is rebuilt on start, entries included', async () => {
  const first = await start();
  const ids: string[] = [];
  for (let i = 0; i < 4; i++) ids.push(await fx.produceBatch({ reads: 1 + i }));
  const note = await checkpointAt(fx, ids.length, 'batches notarised');
  await first.stop();
  const entryKeys = await fx.redis.keys(`ies:${fx.tenant}:log:entries:*`);
  assert.ok(entryKeys.length > 0, 'the notary kept entry bytes');
  await fx.redis.del(...entryKeys);
  assert.equal(await fx.store.bundleEntries(0, ids.length), undefined);

  const second = await start();
  try {
    const entries = await fx.store.bundleEntries(0, ids.length);
    const leaves = await fx.store.tile(0, 0, ids.length);
    assert.ok(entries && leaves, 'entries rebuilt from receipts.v1 on start');
    assert.deepEqual(entries.map((e) => JSON.parse(e.toString()).batchId), (await fx.committedReceipts()).map((r) => r.batchId), 'in log order');
    assert.deepEqual(new Set(entries.map((e) => JSON.parse(e.toString()).batchId)), new Set(ids));
    entries.forEach((e, i) => assert.deepEqual(createHash('sha256').update(Uint8Array.of(0)).update(e).digest(), leaves.subarray(i * 32, (i + 1) * 32), `leaf ${i}`));
    assert.equal(await fx.store.checkpoint(), note, 'the log is where it was');
  } finally {
    await second.stop();
  }
});
