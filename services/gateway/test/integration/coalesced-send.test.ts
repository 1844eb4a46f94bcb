// Batch records handed over in one event-loop turn reach Kafka in few produce requests, each
// exactly once, and a record the topic refuses fails only its own caller.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import type { Admin, Kafka, Producer } from 'kafkajs';
import { TOPICS, topicName } from '@ies/contracts';
import { createIdempotentProducer, createKafka, provisionTenants, replayTopic } from '@ies/kafka';
import { createLogger } from '@ies/observability';
import { nullStream, stackConfig, uniqueTenant } from '@ies/testing';
import { MAX_REQUEST_BYTES, sendCoalesced } from '../../src/ingest/coalesced-send.js';

const tenant = uniqueTenant('COAL');
const topic = topicName(tenant, TOPICS.meterBatches);
const logger = createLogger({ name: 'it', level: 'silent' }, nullStream());
let producer: Producer;
let reader: Kafka;
let admin: Admin;
const produceRequests: number[] = [];

before(async () => {
  await provisionTenants(stackConfig({}, 'admin'), [tenant], logger);
  producer = createIdempotentProducer(createKafka(stackConfig({}, 'gateway'), logger));
  producer.on(producer.events.REQUEST, (e) => {
    if (e.payload.apiName === 'Produce') produceRequests.push(e.payload.size);
  });
  await producer.connect();
  reader = createKafka(stackConfig({}, 'admin'), logger);
  admin = reader.admin();
  await admin.connect();
});

after(async () => {
  await producer.disconnect();
  await admin.disconnect();
});

/** A distinct value of `bytes`: its index in the first 4 bytes. */
function value(i: number, bytes: number): Buffer {
  const b = Buffer.alloc(bytes, i % 251);
  b.writeUInt32BE(i, 0);
  return b;
}

test('records sent in one turn share produce requests of at most 4 MiB, land once each, and an oversize record fails alone', async () => {
  const count = 60;
  const each = 100 * 1024; // ~ a 1,000-read batch record
  const tooLarge = value(1_000_000, 33 * 1024 * 1024); // the topic takes 32 MiB per record batch
  produceRequests.length = 0;
  const outcomes = await Promise.allSettled([
    ...Array.from({ length: count }, (_, i) => sendCoalesced(producer, topic, { key: `HE-1:b${i}`, value: value(i, each) })),
    sendCoalesced(producer, topic, { key: 'HE-1:huge', value: tooLarge }),
  ]);

  assert.deepEqual(outcomes.slice(0, count).map((o) => o.status), Array(count).fill('fulfilled'));
  const refused = outcomes[count]!;
  assert.equal(refused.status, 'rejected');
  assert.equal((refused as PromiseRejectedResult).reason.type, 'MESSAGE_TOO_LARGE', 'the code the gateway answers 413 for');
  // 6 MB of records: two requests under the cap instead of sixty; the oversize record its own.
  const requests = Math.ceil((count * each) / MAX_REQUEST_BYTES);
  assert.ok(produceRequests.length >= requests + 1 && produceRequests.length <= requests + 2, `${produceRequests.length} produce requests`);

  const landed: number[] = [];
  await replayTopic({ kafka: reader, admin, topic, groupId: `it-coal-${randomUUID()}` }, async (r) => {
    landed.push(r.value.readUInt32BE(0));
    assert.equal(r.value.length, each);
  });
  assert.deepEqual(landed.sort((a, b) => a - b), Array.from({ length: count }, (_, i) => i), 'each record once, the oversize one not at all');
});

test('records of later turns go in later requests; each caller waits for its own', async () => {
  const first = sendCoalesced(producer, topic, { key: 'HE-2:a', value: value(2_000, 1024) });
  await first;
  const second = sendCoalesced(producer, topic, { key: 'HE-2:b', value: value(2_001, 1024) });
  await second;
  const landed: number[] = [];
  await replayTopic({ kafka: reader, admin, topic, groupId: `it-coal-${randomUUID()}` }, async (r) => {
    landed.push(r.value.readUInt32BE(0));
  });
  assert.deepEqual(landed.filter((i) => i >= 2_000).sort((a, b) => a - b), [2_000, 2_001]);
});
