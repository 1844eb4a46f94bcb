import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { TOPICS, topicName } from '@ies/contracts';
import { ACKS_ALL, AvroSerde, createIdempotentProducer, createKafka, provisionTenants } from '@ies/kafka';
import { eventually, stackConfig, uniqueTenant } from '@ies/testing';
import { FANOUT_GROUP, startFanout } from '../../src/index.js';

// The fan-out runs as its own Kafka user; the test provisions, plays the gateway and
// watches meter-reads.v1 as the admin.
const config = stackConfig({}, 'fanout');
const adminConfig = stackConfig({}, 'admin');
const silent = { error() {}, warn() {}, info() {}, debug() {} };
const kafka = createKafka(config, silent);
const outside = createKafka(adminConfig, silent);
const serde = new AvroSerde({ registryUrl: config.registry.url });
const tenant = uniqueTenant();
const stops: (() => Promise<void>)[] = [];
after(async () => {
  for (const s of stops) await s();
});

function batch(batchId: string, meters: string[]) {
  return {
    batchId, discomId: tenant, headEndId: 'HES-F', receivedAt: Date.UTC(2026, 10, 21), format: 'COMPACT_CSV', bodySha256: '00'.repeat(32), signature: 'h..s', body: Buffer.from('x'),
    reads: meters.flatMap((m) => [
      { meterId: m, blockStart: Date.UTC(2026, 10, 20, 18, 30), channel: 'IMPORT', wh: 10, validationStatus: 'VALID', source: 'HES' },
      { meterId: m, blockStart: Date.UTC(2026, 10, 20, 18, 30), channel: 'EXPORT', wh: 0, validationStatus: 'VALID', source: 'HES' },
    ]),
  };
}

test('every accepted read is fanned out exactly once, also across a restart of the fan-out', async () => {
  await provisionTenants(adminConfig, [tenant], silent);
  const producer = createIdempotentProducer(outside);
  await producer.connect();
  const send = async (b: ReturnType<typeof batch>) => producer.send({ topic: topicName(tenant, TOPICS.meterBatches), acks: ACKS_ALL, messages: [{ key: b.batchId, value: await serde.encode(tenant, TOPICS.meterBatches, b) }] });

  const fanoutIds = { groupId: `${FANOUT_GROUP}-${tenant}`, transactionalId: `${config.nodeId}-fanout-${randomUUID()}` };
  let first = await startFanout(kafka, serde, [tenant], fanoutIds);
  await send(batch('B-1', ['F-1', 'F-2', 'F-3']));

  const reads: { key: string; batchId: string; index: number }[] = [];
  const watcher = outside.consumer({ groupId: `${tenant}-watch`, readUncommitted: false });
  await watcher.connect();
  await watcher.subscribe({ topic: topicName(tenant, TOPICS.meterReads), fromBeginning: true });
  await watcher.run({ eachMessage: async ({ message }) => { const r = await serde.decode<{ batchId: string; indexInBatch: number }>(message.value as Buffer); reads.push({ key: String(message.key), batchId: r.batchId, index: r.indexInBatch }); } });
  stops.push(() => watcher.disconnect());
  await eventually(async () => (reads.length >= 6 ? true : undefined), 60_000, '6 reads of B-1');

  // Restart the fan-out (same transactional id, same group) and send a second batch.
  await first.consumer.disconnect();
  await first.producer.disconnect();
  first = await startFanout(kafka, serde, [tenant], fanoutIds);
  stops.push(async () => { await first.consumer.disconnect(); await first.producer.disconnect(); });
  await send(batch('B-2', ['F-1']));
  await producer.disconnect();
  await eventually(async () => (reads.length >= 8 ? true : undefined), 60_000, '2 reads of B-2');
  await new Promise((r) => setTimeout(r, 3000));
  const ids = reads.map((r) => `${r.batchId}#${r.index}`).sort();
  assert.deepEqual(ids, ['B-1#0', 'B-1#1', 'B-1#2', 'B-1#3', 'B-1#4', 'B-1#5', 'B-2#0', 'B-2#1']);
  assert.deepEqual(reads.filter((r) => r.batchId === 'B-1').map((r) => r.key).sort(), ['F-1', 'F-1', 'F-2', 'F-2', 'F-3', 'F-3']);
});
