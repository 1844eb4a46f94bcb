import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { TOPICS, topicName } from '@ies/contracts';
import { generateSigningKey, type KeyPair } from '@ies/crypto';
import { eventually } from '@ies/testing';
import { CSV_HEADER, istBlocks, registryYaml, startHarness } from './harness.js';

/**
 * The broker stops answering mid-write (SIGSTOP of the stack's own Kafka process, then
 * SIGCONT): the head-end gets 503 with Retry-After, retries with the same batch id, gets
 * the original 202, and the batch is in Kafka exactly once.
 */
// The stack this run uses (infra/lib.sh: IES_STACK_DIR, else the repository's .stack), never another one.
const stackDir = process.env.IES_STACK_DIR ?? fileURLToPath(new URL('../../../../../.stack', import.meta.url));
const pidFile = path.join(stackDir, 'run', 'kafka-1.pid');
let h: Awaited<ReturnType<typeof startHarness>>;
let key: KeyPair;
let tenant: string;

before(async () => {
  h = await startHarness(1, { IES_INGEST_KAFKA_ACK_TIMEOUT_MS: '1500' });
  tenant = h.tenants[0] as string;
  key = await generateSigningKey();
  assert.equal((await h.applyRegistry(registryYaml(tenant, { id: 'HES-D', keys: [key] }, [{ id: 'D-1' }]))).statusCode, 200);
});
after(async () => {
  await h.close();
});

test('Kafka unavailable: 503 with Retry-After, then success on retry, and no duplicate in Kafka', async () => {
  const brokers = readFileSync(path.join(stackDir, 'run', 'kafka.brokers'), 'utf8').trim();
  assert.equal(brokers, '1', 'this test pauses the single local broker');
  const pid = Number(readFileSync(pidFile, 'utf8'));
  const body = `${CSV_HEADER}\nD-1,${istBlocks(1)[0]},77,0,VALID\n`;
  const jti = `D-${Date.now()}`;
  process.kill(pid, 'SIGSTOP');
  let first;
  try {
    first = await h.submit(body, key, { jti });
  } finally {
    process.kill(pid, 'SIGCONT');
  }
  assert.equal(first.res.statusCode, 503, first.res.body);
  assert.equal(first.json().code, 'IES_ERR_DEPENDENCY_UNAVAILABLE');
  assert.ok(Number(first.res.headers['retry-after']) > 0);

  const retried = await eventually(async () => {
    const r = await h.submit(body, key, { jti });
    return r.res.statusCode === 202 ? r : undefined;
  }, 60_000, 'the retry to succeed');
  assert.equal(retried.json().batchId, `HES-D:${jti}`);

  const consumer = h.kafka.consumer({ groupId: `${tenant}-it-dup` });
  await consumer.connect();
  await consumer.subscribe({ topic: topicName(tenant, TOPICS.meterBatches), fromBeginning: true });
  const keys: string[] = [];
  await consumer.run({ eachMessage: async ({ message }) => { keys.push(String(message.key)); } });
  await eventually(async () => (keys.length > 0 ? true : undefined), 30_000, 'the batch in Kafka');
  await new Promise((r) => setTimeout(r, 3000)); // let any duplicate arrive
  await consumer.disconnect();
  assert.deepEqual(keys.filter((k) => k === `HES-D:${jti}`), [`HES-D:${jti}`]);
});
