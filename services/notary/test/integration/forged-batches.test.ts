import { strict as assert } from 'node:assert';
import { test } from 'node:test';
import { generateSigningKey } from '@ies/crypto';
import { readDeadLetters } from '@ies/registry/testing';
import { eventually } from '@ies/testing';
import { receiptFromJws, verifyReceipt } from '@ies/verify';
import { checkpointSize, runningNotary } from './support.js';

const { fx, fatal } = await runningNotary();

test('forged meter-batches records produced with a valid Kafka principal are not notarised but dead-lettered once; genuine batches still flow', async () => {
  const block = Date.UTC(2026, 10, 19, 18, 30);
  const reads = [{ meterId: 'SM-1', blockStart: block, channel: 'IMPORT' as const, wh: 400 }, { meterId: 'SM-2', blockStart: block, channel: 'IMPORT' as const, wh: 300 }];
  const first = await fx.produceBatch();

  // Reads changed after signing: 424,242 Wh, far over SM-1's plausibility limit; signature kept.
  const genuine = await fx.fleet.batch(reads);
  const inflated = { ...genuine, reads: genuine.reads.map((r, i) => (i === 0 ? { ...r, wh: 424_242 } : r)) };
  // Signed by a key nobody registered.
  const unregistered = await fx.fleet.batch(reads, { key: await generateSigningKey() });
  // Signed by a key of the head-end that the operator revoked before the signature was made.
  const old = await generateSigningKey();
  await fx.fleet.register(['SM-1', 'SM-2'], { keys: [fx.fleet.headEnd, old] });
  await fx.fleet.register(['SM-1', 'SM-2'], { keys: [fx.fleet.headEnd, { ...old, status: 'REVOKED' }] });
  const revoked = await fx.fleet.batch(reads, { key: old, iat: Math.floor(Date.now() / 1000) + 2 });
  // A genuine batch relabelled as another tenant's.
  const foreign = { ...(await fx.fleet.batch(reads)), discomId: 'OTHER-DL' };
  const forged = { [inflated.batchId]: 'IES_ERR_BATCH_READS_MISMATCH', [unregistered.batchId]: 'IES_ERR_SIGNATURE_INVALID', [revoked.batchId]: 'IES_ERR_KEY_REVOKED', [foreign.batchId]: 'IES_ERR_TENANT_FORBIDDEN' };
  for (const r of [inflated, unregistered, revoked, foreign]) await fx.produceRecord(r);
  const last = await fx.produceBatch({ reads: 2 });

  const letters = await eventually(async () => {
    const all = (await readDeadLetters(fx.kafka, fx.serde, fx.tenant)).filter((d) => d.stage === 'notary');
    return all.length >= 4 ? all : undefined;
  }, 30_000, 'four notary dead letters');
  await eventually(async () => ((await fx.store.receipt(last)) && (await fx.store.receipt(first)) ? true : undefined), 30_000, 'the genuine batches notarised');
  assert.deepEqual(Object.fromEntries(letters.map((d) => [d.context.batchId, d.code])), forged, 'each forged record is dead-lettered once, with its code');
  assert.equal(letters.length, 4);
  for (const id of Object.keys(forged)) assert.equal(await fx.store.receipt(id), undefined, `no receipt for forged ${id}`);
  const cp = await fx.store.checkpoint();
  assert.equal(cp && checkpointSize(cp), 2, 'only the two genuine batches are in the log');
  const records = await fx.committedReceipts();
  assert.deepEqual(new Set(records.map((r) => r.batchId)), new Set([first, last]));
  const trust = await fx.trust();
  for (const id of [first, last]) {
    const result = await verifyReceipt(receiptFromJws((await fx.store.receipt(id)) as string), trust);
    assert.ok(result.ok, result.ok ? '' : result.reason);
  }
  assert.deepEqual(fatal, []);
});
