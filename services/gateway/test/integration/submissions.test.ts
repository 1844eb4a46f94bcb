import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { TOPICS, topicName } from '@ies/contracts';
import { generateSigningKey, signDetached, type KeyPair } from '@ies/crypto';
import { ACKS_ALL, createIdempotentProducer } from '@ies/kafka';
import { eventually } from '@ies/testing';
import { startSubmissionsConsumer, type SubmissionsIntake } from '../../src/intake/submissions-consumer.js';
import { CSV_HEADER, istBlocks, registryYaml, startHarness } from './harness.js';

let h: Awaited<ReturnType<typeof startHarness>>;
let key: KeyPair;
let tenant: string;
let submissions: SubmissionsIntake;
let watcher: Awaited<ReturnType<typeof h.watchBatches>>;
const seen = () => watcher.seen;

before(async () => {
  h = await startHarness(1);
  tenant = h.tenants[0] as string;
  key = await generateSigningKey();
  assert.equal((await h.applyRegistry(registryYaml(tenant, { id: 'HES-K', keys: [key] }, [{ id: 'K-1' }]))).statusCode, 200);
  submissions = await startSubmissionsConsumer(h.gatewayKafka, h.deps, { info() {}, warn() {} }, `${h.config.nodeId}-gateway-submissions-${randomUUID()}`);
  watcher = await h.watchBatches(tenant, 'watch');
});
after(async () => {
  await submissions.disconnect();
  await watcher.stop();
  await h.close();
});

async function produceSubmission(body: string, signature: string): Promise<void> {
  const producer = createIdempotentProducer(h.kafka);
  await producer.connect();
  const value = await h.serde.encode(tenant, TOPICS.headendSubmissions, { contentType: 'text/csv', signature, body: Buffer.from(body), tenant: null });
  await producer.send({ topic: topicName(tenant, TOPICS.headendSubmissions), acks: ACKS_ALL, messages: [{ key: randomUUID(), value }] });
  await producer.disconnect();
}

test('a signed envelope produced to headend-submissions.v1 is accepted like the HTTP route', async () => {
  const jti = `K-${randomUUID()}`;
  const body = `${CSV_HEADER}\nK-1,${istBlocks(1)[0]},42,0,VALID\n`;
  await produceSubmission(body, await signDetached(Buffer.from(body), key, { iat: Math.floor(Date.now() / 1000), jti, htm: 'POST', htu: '/v1/meter-data', tenant }));
  const batch = await eventually(async () => seen().batches.find((b) => b.batchId === `HES-K:${jti}`), 30_000, 'the batch on meter-batches.v1');
  assert.equal(batch.reads[0].wh, 42);
});

test('a tampered envelope is dead-lettered with the signature code, not dropped', async () => {
  const body = `${CSV_HEADER}\nK-1,${istBlocks(1)[0]},42,0,VALID\n`;
  const sig = await signDetached(Buffer.from(body), key, { iat: Math.floor(Date.now() / 1000), jti: `K-${randomUUID()}`, htm: 'POST', htu: '/v1/meter-data', tenant });
  await produceSubmission(body.replace(',42,', ',43,'), sig);
  const dead = await eventually(async () => seen().dead.find((d) => d.stage === 'submissions-consumer'), 30_000, 'a dead-letter record');
  assert.equal(dead.code, 'IES_ERR_SIGNATURE_INVALID');
  assert.ok(dead.payload && dead.payload.length > 0, 'the refused envelope is kept');
});
