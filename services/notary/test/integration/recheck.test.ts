import { strict as assert } from 'node:assert';
import { Writable } from 'node:stream';
import { after, test } from 'node:test';
import { TOPICS, topicName } from '@ies/contracts';
import { createLogger, createMetricsRegistry } from '@ies/observability';
import { readDeadLetters, type GatewayBatch } from '@ies/registry/testing';
import { eventually } from '@ies/testing';
import { receiptFromJws, verifyReceipt } from '@ies/verify';
import { RECHECK_ALARM, RECHECK_STAGE, startRecheckService } from '../../src/index.js';
import { batchRootOf } from '../../src/domain/batch-tree.js';
import { checkpointSize, runningNotary } from './support.js';

const { fx, fatal } = await runningNotary();
const logLines: Record<string, unknown>[] = [];
const capture = new Writable({
  write(chunk: Buffer, _enc, done) {
    for (const line of chunk.toString('utf8').split('\n')) if (line.trim()) logLines.push(JSON.parse(line) as Record<string, unknown>);
    done();
  },
});
const metrics = createMetricsRegistry('it-recheck');
const rechecker = await startRecheckService(fx.env, { listen: false, metrics, logger: createLogger({ name: 'it-recheck', level: 'warn' }, capture) });
after(() => rechecker.stop());

const rootOf = (b: Pick<GatewayBatch, 'discomId' | 'reads'>) => Buffer.from(batchRootOf(b.discomId, b.reads)).toString('base64');
/** The record as the gateway now writes it: with the batch root and count it computed. */
const carried = (b: GatewayBatch) => ({ ...b, batchRoot: rootOf(b), readCount: b.reads.length });
const receiptOf = async (batchId: string) => {
  const jws = await fx.store.receipt(batchId);
  return jws === undefined ? undefined : receiptFromJws(jws).receipt;
};
const counter = async (name: string, labels: Record<string, string>) => {
  const metric = (await metrics.getMetricsAsJSON()).find((m) => m.name === name);
  const value = (metric?.values as { labels: Record<string, string>; value: number }[] | undefined)?.find((v) => Object.entries(labels).every(([k, x]) => v.labels[k] === x));
  return value?.value ?? 0;
};

test('carried roots are appended without rehashing; a forged root or forged reads are appended but the re-checker raises the alarm and dead-letters each once; old records are hashed by the notary', async () => {
  const block = Date.UTC(2026, 10, 19, 18, 30);
  const reads = [{ meterId: 'SM-1', blockStart: block, channel: 'IMPORT' as const, wh: 400 }, { meterId: 'SM-2', blockStart: block, channel: 'IMPORT' as const, wh: 300 }, { meterId: 'SM-3', blockStart: block, channel: 'EXPORT' as const, wh: 20 }];

  // A gateway-written record with its root: the entry takes the carried root.
  const good = carried(await fx.fleet.batch(reads));
  // A signed batch whose carried root is not its reads' (the root of other reads), produced straight to the topic.
  const signedForForgedRoot = await fx.fleet.batch(reads);
  const otherReads = signedForForgedRoot.reads.map((r, i) => (i === 0 ? { ...r, wh: r.wh + 1 } : r));
  const forgedRoot = { ...signedForForgedRoot, batchRoot: rootOf({ discomId: fx.tenant, reads: otherReads }), readCount: signedForForgedRoot.reads.length };
  // Reads changed after signing, with a root that matches the changed reads.
  const signedForForgedReads = await fx.fleet.batch(reads);
  const inflatedReads = signedForForgedReads.reads.map((r, i) => (i === 1 ? { ...r, wh: 301 } : r));
  const forgedReads = carried({ ...signedForForgedReads, reads: inflatedReads });
  // A count that is not the number of reads.
  const signedForForgedCount = await fx.fleet.batch(reads);
  const forgedCount = { ...carried(signedForForgedCount), readCount: 2 };
  // A malformed root never becomes an entry.
  const malformed = { ...(await fx.fleet.batch(reads)), batchRoot: 'not-a-root', readCount: 3 };
  // An older producer's record, without the new fields: the notary computes the root itself.
  const old = await fx.fleet.batch(reads);
  for (const r of [good, forgedRoot, forgedReads, forgedCount, malformed, old]) await fx.produceRecord(r);
  // …and one written with the schema before the fields existed (its own registry id): read with the defaults.
  const before = JSON.parse(await fx.serde.loadSchema(TOPICS.meterBatches.valueSchema as string)) as { fields: { name: string }[] };
  const beforeId = await fx.serde.registerSchema(`ies.${fx.tenant}.meter-batch-before-batch-root-value`, JSON.stringify({ ...before, fields: before.fields.filter((f) => f.name !== 'batchRoot' && f.name !== 'readCount') }));
  const older = await fx.fleet.batch(reads);
  await fx.producer.send({ topic: topicName(fx.tenant, TOPICS.meterBatches), messages: [{ key: older.batchId, value: await fx.serde.registry.encode(beforeId, older) }] });

  const appended = [good, forgedRoot, forgedReads, forgedCount, old, older];
  await eventually(async () => ((await Promise.all(appended.map((b) => fx.store.receipt(b.batchId)))).every((x) => x !== undefined) ? true : undefined), 30_000, 'six batches notarised');
  assert.equal((await receiptOf(good.batchId))?.batchRoot, good.batchRoot, 'the carried root is the entry');
  assert.equal((await receiptOf(forgedRoot.batchId))?.batchRoot, forgedRoot.batchRoot, 'the notary appended the forged root: it does not rehash reads');
  assert.equal((await receiptOf(forgedCount.batchId))?.readCount, 2);
  assert.equal((await receiptOf(old.batchId))?.batchRoot, rootOf(old), "an old record's root is computed by the notary");
  assert.equal((await receiptOf(older.batchId))?.batchRoot, rootOf(older), 'a record of the schema before the fields is notarised too');
  assert.equal(await fx.store.receipt(malformed.batchId), undefined, 'a malformed root gets no entry');
  const trust = await fx.trust();
  for (const b of appended) {
    const result = await verifyReceipt(receiptFromJws((await fx.store.receipt(b.batchId)) as string), trust);
    assert.ok(result.ok, result.ok ? '' : result.reason);
  }

  const letters = await eventually(async () => {
    const all = await readDeadLetters(fx.kafka, fx.serde, fx.tenant);
    return all.filter((d) => d.stage === RECHECK_STAGE).length >= 3 && all.some((d) => d.stage === 'notary') ? all : undefined;
  }, 60_000, 'three re-check dead letters and the notary one');
  const recheck = letters.filter((d) => d.stage === RECHECK_STAGE);
  assert.deepEqual(Object.fromEntries(recheck.map((d) => [d.context.batchId, d.code])), {
    [forgedRoot.batchId]: 'IES_ERR_BATCH_ROOT_MISMATCH',
    [forgedReads.batchId]: 'IES_ERR_BATCH_READS_MISMATCH',
    [forgedCount.batchId]: 'IES_ERR_BATCH_ROOT_MISMATCH',
  });
  assert.equal(recheck.length, 3, 'each forged batch is reported once');
  const root = recheck.find((d) => d.context.batchId === forgedRoot.batchId);
  assert.equal(root?.context.claimedRoot, forgedRoot.batchRoot);
  assert.equal(root?.context.computedRoot, rootOf(signedForForgedRoot));
  assert.deepEqual(letters.filter((d) => d.stage === 'notary').map((d) => [d.context.batchId, d.code]), [[malformed.batchId, 'IES_ERR_BATCH_ROOT_MISMATCH']]);

  // The machine-readable alarm and the metric.
  const alarms = logLines.filter((l) => l.alarm === RECHECK_ALARM);
  assert.deepEqual(new Set(alarms.map((l) => l.batchId)), new Set([forgedRoot.batchId, forgedReads.batchId, forgedCount.batchId]));
  assert.ok(alarms.every((l) => l.level === 50 && l.discomId === fx.tenant));
  assert.equal(await counter('ies_notary_recheck_mismatches_total', { discom: fx.tenant, code: 'IES_ERR_BATCH_ROOT_MISMATCH' }), 2);
  assert.equal(await counter('ies_notary_recheck_mismatches_total', { discom: fx.tenant, code: 'IES_ERR_BATCH_READS_MISMATCH' }), 1);
  await eventually(async () => ((await counter('ies_notary_recheck_batches_total', { discom: fx.tenant, outcome: 'checked' })) >= 1 ? true : undefined), 30_000, 'the genuine batch re-checked');
  assert.ok((await counter('ies_notary_recheck_batches_total', { discom: fx.tenant, outcome: 'skipped-no-root' })) >= 1);

  const cp = await fx.store.checkpoint();
  assert.equal(cp && checkpointSize(cp), 6);
  assert.deepEqual(fatal, []);
});
