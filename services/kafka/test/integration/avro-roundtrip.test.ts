import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { TOPICS, topicName } from '@ies/contracts';
import { IesError } from '@ies/errors';
import { stackConfig, uniqueTenant, eventually } from '@ies/testing';
import { AvroSerde, ACKS_ALL, createIdempotentProducer, createKafka, ensureTenantTopics } from '../../src/index.js';

const config = stackConfig({}, 'admin');
const silent = { error() {}, warn() {}, info() {}, debug() {} };
const kafka = createKafka(config, silent);
const admin = kafka.admin();
const serde = new AvroSerde({ registryUrl: config.registry.url });
const tenant = uniqueTenant();
after(async () => {
  await admin.disconnect();
});

function sampleBatch(batchId: string) {
  return {
    batchId,
    discomId: tenant,
    headEndId: 'hes-1',
    receivedAt: Date.UTC(2026, 10, 20, 0, 5),
    format: 'IES_METERDATA_V06',
    bodySha256: 'ab'.repeat(32),
    signature: 'eyJhbGciOiJFZERTQSJ9..sig',
    body: Buffer.from('meter_id,block_start,import_wh,export_wh,status\n'),
    reads: [
      { meterId: 'M-1', blockStart: Date.UTC(2026, 10, 19, 18, 30), channel: 'IMPORT', wh: 412, validationStatus: 'VALID', source: 'METER' },
      { meterId: 'M-1', blockStart: Date.UTC(2026, 10, 19, 18, 30), channel: 'EXPORT', wh: 0, validationStatus: 'ESTIMATED', source: 'HES' },
    ],
    rejected: [{ index: 2, path: 'line 3, import_wh', meterId: 'M-2', blockStart: null, channel: 'IMPORT', code: 'IES_ERR_VEE_MALFORMED', message: 'import_wh "x" is not an integer' }],
  };
}

test('tenant topics are created once from the catalogue, with their partitions and policies', async () => {
  await admin.connect();
  const first = await ensureTenantTopics(admin, tenant, config.kafka.replicationFactor);
  assert.equal(first.created.length, Object.keys(TOPICS).length);
  const second = await ensureTenantTopics(admin, tenant, config.kafka.replicationFactor);
  assert.deepEqual(second.created, []);
  const meta = await admin.fetchTopicMetadata({ topics: [topicName(tenant, TOPICS.meterBatches)] });
  assert.equal(meta.topics[0]?.partitions.length, TOPICS.meterBatches.partitions);
  const cfg = await admin.describeConfigs({ resources: [{ type: 2, name: topicName(tenant, TOPICS.registry), configNames: ['cleanup.policy'] }], includeSynonyms: false });
  assert.equal(cfg.resources[0]?.configEntries[0]?.configValue, 'compact');
});

test('an Avro record is produced through the registry (acks=all, idempotent) and consumed back intact', async () => {
  const topic = topicName(tenant, TOPICS.meterBatches);
  const value = sampleBatch('B-0001');
  const encoded = await serde.encode(tenant, TOPICS.meterBatches, value);
  assert.equal(encoded[0], 0, 'Confluent magic byte');
  const producer = createIdempotentProducer(kafka);
  await producer.connect();
  const [meta] = await producer.send({ topic, acks: ACKS_ALL, messages: [{ key: value.batchId, value: encoded }] });
  await producer.disconnect();
  assert.equal(meta?.errorCode, 0);

  const consumer = kafka.consumer({ groupId: `${tenant}-it` });
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  const received: unknown[] = [];
  await consumer.run({
    eachMessage: async ({ message }) => {
      // avsc decodes into record classes; compare as plain data.
      const batch = await serde.decode<ReturnType<typeof sampleBatch>>(message.value as Buffer);
      received.push({ ...batch, reads: batch.reads.map((r) => ({ ...r })), rejected: batch.rejected.map((r) => ({ ...r })) });
    },
  });
  const got = await eventually(async () => (received.length > 0 ? received : undefined), 30_000, 'the record to be consumed');
  await consumer.disconnect();
  // A producer that leaves out the fields added later (batchRoot, readCount) gets their defaults.
  assert.deepEqual(got, [{ ...value, batchRoot: null, readCount: null }]);
});

test('a value that does not match the schema is refused naming the field', async () => {
  const bad = { ...sampleBatch('B-2'), reads: [{ ...sampleBatch('B-2').reads[0], wh: 'lots' }] };
  await assert.rejects(serde.encode(tenant, TOPICS.meterBatches, bad), (err: unknown) => {
    assert.ok(err instanceof IesError);
    assert.equal(err.code, 'IES_ERR_AVRO_ENCODE');
    assert.match(err.message, /reads\.0\.wh/);
    return true;
  });
});

test('bytes that are not registry-framed Avro are refused with a stable code; an unknown schema id too', async () => {
  await assert.rejects(serde.decode(Buffer.from('{"json":true}')), (err: unknown) => err instanceof IesError && err.code === 'IES_ERR_AVRO_DECODE');
  const unknownId = Buffer.from([0, 0x7f, 0xff, 0xff, 0xf0, 1, 2, 3]);
  await assert.rejects(serde.decode(unknownId), (err: unknown) => err instanceof IesError && err.code === 'IES_ERR_AVRO_DECODE' && !err.retriable);
});

test('a registry that does not answer makes decoding retriable, not a dead letter', async () => {
  const offline = new AvroSerde({ registryUrl: 'http://127.0.0.1:1/apis/ccompat/v7' });
  const framed = await serde.encode(tenant, TOPICS.meterBatches, sampleBatch('B-3'));
  await assert.rejects(offline.decode(framed), (err: unknown) => err instanceof IesError && err.code === 'IES_ERR_DEPENDENCY_UNAVAILABLE' && err.retriable);
});

test('encoderOf writes the same bytes as encode, synchronously, and names the bad field like encode', async () => {
  const encodeBatch = await serde.encoderOf(tenant, TOPICS.meterBatches);
  for (const id of ['B-enc-1', 'B-enc-2']) assert.deepEqual(encodeBatch(sampleBatch(id)), await serde.encode(tenant, TOPICS.meterBatches, sampleBatch(id)));
  assert.throws(() => encodeBatch({ ...sampleBatch('B-enc-3'), receivedAt: 'yesterday' }), (err: unknown) => err instanceof IesError && err.code === 'IES_ERR_AVRO_ENCODE' && /receivedAt/.test(err.message));
});
