import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { sql } from '@ies/clickhouse';
import { TOPICS, topicName } from '@ies/contracts';
import { ACKS_ALL } from '@ies/kafka';
import { eventually } from '@ies/testing';
import { startLoaderService } from '../../src/index.js';
import { loaderTestStack, committedVsEnd, countReads, readsOf, scalar, sendBatch } from './helpers.js';

const stack = loaderTestStack();
const { serde, tenant, groupId, env, ch, admin, producer } = stack;
const options = { groupId, maxDelayMs: 200 };
const batchesTopic = topicName(tenant, TOPICS.meterBatches);
const BLOCK = Date.UTC(2026, 10, 20, 18, 30);
const RECEIVED = Date.UTC(2026, 10, 21, 4, 0);
let service: Awaited<ReturnType<typeof startLoaderService>> | undefined;

before(() => stack.open());

after(async () => {
  await service?.stop();
  await stack.close();
});

async function fullyCommitted(topic: string): Promise<true | undefined> {
  const [committed, end] = await committedVsEnd(admin, groupId, topic);
  return committed === end ? true : undefined;
}

test('batches land once: a batch produced twice, a restart and a full redelivery still count each read once', async () => {
  const b1 = await stack.batches.meterBatch('B-1', RECEIVED, readsOf('M', 3, BLOCK));
  const b2 = await stack.batches.meterBatch('B-2', RECEIVED, readsOf('N', 2, BLOCK));
  await sendBatch(producer, serde, tenant, b1);
  await sendBatch(producer, serde, tenant, b1);
  await sendBatch(producer, serde, tenant, b2);
  // A record that is not Avro at all: kept as a dead letter, never blocks the partition.
  await producer.send({ topic: batchesTopic, acks: ACKS_ALL, messages: [{ key: 'junk', value: Buffer.from('not avro') }] });

  service = await startLoaderService({ ...env, IES_LOADER_INSERTS_IN_FLIGHT: undefined }, options);
  assert.equal(service.loader.status().insertSlots, 2, 'two INSERTs in flight unless IES_LOADER_INSERTS_IN_FLIGHT says otherwise');
  await eventually(async () => ((await countReads(ch, tenant)) === 10 ? true : undefined), 60_000, '10 reads');
  await eventually(() => fullyCommitted(batchesTopic), 30_000, 'offsets committed');
  const junk = await (await ch.query({ query: sql`SELECT stage, code FROM dead_letters FINAL WHERE discom_id = ${tenant}`, format: 'JSONEachRow' })).json();
  assert.deepEqual(junk, [{ stage: 'loader', code: 'IES_ERR_AVRO_DECODE' }]);

  // The read-proof lookup: all reads of a batch, in batch order, with their public fields.
  const proof = await (await ch.query({
    query: sql`SELECT meter_id, toUnixTimestamp(block_start) AS block_start_s, channel, toString(wh) AS wh, validation_status, source FROM reads_by_batch FINAL WHERE discom_id = ${tenant} AND batch_id = ${b1.batchId} ORDER BY index_in_batch`,
    format: 'JSONEachRow',
  })).json<{ meter_id: string; block_start_s: number; channel: string; wh: string; validation_status: string; source: string }>();
  assert.deepEqual(proof, b1.reads.map((r) => ({ meter_id: r.meterId, block_start_s: r.blockStart / 1000, channel: r.channel, wh: String(r.wh), validation_status: r.validationStatus, source: r.source })));

  // Restart with the group rewound to the beginning: every record is delivered again.
  await service.stop();
  service = undefined;
  await admin.resetOffsets({ groupId, topic: batchesTopic, earliest: true });
  await sendBatch(producer, serde, tenant, b1);
  const b3 = await stack.batches.meterBatch('B-3', RECEIVED, readsOf('P', 1, BLOCK));
  await sendBatch(producer, serde, tenant, b3);
  // Restarted with one INSERT at a time (a ClickHouse with one core for inserts): the same rows, once.
  service = await startLoaderService({ ...env, IES_LOADER_INSERTS_IN_FLIGHT: '1' }, options);
  assert.equal(service.loader.status().insertSlots, 1);
  await eventually(async () => ((await countReads(ch, tenant, b3.batchId)) === 2 ? true : undefined), 60_000, 'B-3 loaded');
  await eventually(() => fullyCommitted(batchesTopic), 30_000, 'offsets committed after restart');

  assert.equal(await countReads(ch, tenant), 12);
  assert.equal(await countReads(ch, tenant, b1.batchId), 6);
  // The GROUP BY pattern counts the same as FINAL.
  assert.equal(await scalar(ch, sql`SELECT uniqExact(meter_id, block_start, channel, batch_id) AS n FROM reads WHERE discom_id = ${tenant}`), 12);
  assert.equal(await scalar(ch, sql`SELECT count() AS n FROM reads_by_batch FINAL WHERE discom_id = ${tenant}`), 12);
  // read_days keeps every delivered copy as a cell (B-1 was delivered again across the restart, so at least 12).
  assert.ok(await scalar(ch, sql`SELECT sum(length(finalizeAggregation(cells))) AS n FROM read_days WHERE discom_id = ${tenant}`) >= 12);
  assert.equal(await scalar(ch, sql`SELECT count() AS n FROM dead_letters FINAL WHERE discom_id = ${tenant}`), 1);
});

test('a revision supersedes the earlier read by receivedAt, and both versions stay queryable', async () => {
  const v1 = await stack.batches.meterBatch('R-1', RECEIVED, [{ meterId: 'REV-1', blockStart: BLOCK, channel: 'IMPORT', wh: 100, validationStatus: 'ESTIMATED' }]);
  const v2 = await stack.batches.meterBatch('R-2', RECEIVED + 60_000, [{ meterId: 'REV-1', blockStart: BLOCK, channel: 'IMPORT', wh: 120, validationStatus: 'VALID' }]);
  // Same receivedAt: the larger batch id is the later version.
  const tieA = await stack.batches.meterBatch('T-A', RECEIVED, [{ meterId: 'REV-2', blockStart: BLOCK, channel: 'EXPORT', wh: 5 }]);
  const tieB = await stack.batches.meterBatch('T-B', RECEIVED, [{ meterId: 'REV-2', blockStart: BLOCK, channel: 'EXPORT', wh: 7 }]);
  // Arrival order is not version order.
  for (const b of [v2, v1, tieB, tieA]) await sendBatch(producer, serde, tenant, b);
  await eventually(async () => ((await scalar(ch, sql`SELECT count() AS n FROM reads FINAL WHERE discom_id = ${tenant} AND meter_id IN ('REV-1', 'REV-2')`)) === 4 ? true : undefined), 60_000, '4 versions');

  const latest = await (await ch.query({
    query: sql`SELECT meter_id, channel, toString(argMax(wh, (received_at_ms, batch_id))) AS latest_wh, argMax(validation_status, (received_at_ms, batch_id)) AS latest_status, argMax(batch_id, (received_at_ms, batch_id)) AS latest_batch
      FROM reads WHERE discom_id = ${tenant} AND meter_id IN ('REV-1', 'REV-2') GROUP BY meter_id, block_start, channel ORDER BY meter_id`,
    format: 'JSONEachRow',
  })).json();
  assert.deepEqual(latest, [
    { meter_id: 'REV-1', channel: 'IMPORT', latest_wh: '120', latest_status: 'VALID', latest_batch: v2.batchId },
    { meter_id: 'REV-2', channel: 'EXPORT', latest_wh: '7', latest_status: 'VALID', latest_batch: tieB.batchId },
  ]);

  // Which batches hold meter M, block B, channel C, oldest version first.
  const versions = await (await ch.query({
    query: sql`SELECT batch_id, index_in_batch, toString(wh) AS wh_text, validation_status, source, toString(received_at_ms) AS received_text FROM reads FINAL
      WHERE discom_id = ${tenant} AND meter_id = ${'REV-1'} AND block_start = ${new Date(BLOCK)} AND channel = 'IMPORT' ORDER BY received_at_ms, batch_id`,
    format: 'JSONEachRow',
  })).json();
  assert.deepEqual(versions, [
    { batch_id: v1.batchId, index_in_batch: 0, wh_text: '100', validation_status: 'ESTIMATED', source: 'HES', received_text: String(RECEIVED) },
    { batch_id: v2.batchId, index_in_batch: 0, wh_text: '120', validation_status: 'VALID', source: 'HES', received_text: String(RECEIVED + 60_000) },
  ]);
});

test('dead-letter.v1 records land once, with their context', async () => {
  const record = { sourceId: 'B-9#4', discomId: tenant, stage: 'gateway', code: 'IES_ERR_VEE_NEGATIVE', message: 'wh -5 is negative', rejectedAt: RECEIVED, payload: null, context: { batchId: 'B-9', index: '4', meterId: 'M-9' } };
  const value = await serde.encode(tenant, TOPICS.deadLetter, record);
  for (let i = 0; i < 2; i += 1) await producer.send({ topic: topicName(tenant, TOPICS.deadLetter), acks: ACKS_ALL, messages: [{ key: record.sourceId, value }] });
  const rows = await eventually(async () => {
    const r = await (await ch.query({ query: sql`SELECT source_id, stage, code, message, toString(rejected_at_ms) AS at, batch_id, meter_id, context_keys, context_values FROM dead_letters FINAL WHERE discom_id = ${tenant} AND stage = 'gateway'`, format: 'JSONEachRow' })).json();
    return r.length > 0 ? r : undefined;
  }, 60_000, 'dead letter loaded');
  await eventually(() => fullyCommitted(topicName(tenant, TOPICS.deadLetter)), 30_000, 'dead-letter offsets committed');
  assert.deepEqual(rows, [{ source_id: 'B-9#4', stage: 'gateway', code: 'IES_ERR_VEE_NEGATIVE', message: 'wh -5 is negative', at: String(RECEIVED), batch_id: 'B-9', meter_id: 'M-9', context_keys: ['batchId', 'index', 'meterId'], context_values: ['B-9', '4', 'M-9'] }]);
});
