import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { Kafka, logLevel, type KafkaConfig } from 'kafkajs';
import { TOPICS, topicName, type ServicePrincipal } from '@ies/contracts';
import { IesError } from '@ies/errors';
import { stackConfig, uniqueTenant } from '@ies/testing';
import { ACKS_ALL, createIdempotentProducer, createKafka, provisionTenants, requireTenantTopics } from '../../src/index.js';

// The cluster authenticates every client (SASL/SCRAM) and authorises every request against
// the ACLs that provisioning derives from KAFKA_GRANTS: nothing is allowed by position.
const silent = { error() {}, warn() {}, info() {}, debug() {} };
const tenant = uniqueTenant('ACL');
const adminConfig = stackConfig({}, 'admin');
const quick: Partial<KafkaConfig> = { retry: { retries: 1, initialRetryTime: 100, maxRetryTime: 500 }, connectionTimeout: 3000 };
const as = (principal: ServicePrincipal) => createKafka(stackConfig({}, principal), silent, quick);
const topic = (id: keyof typeof TOPICS) => topicName(tenant, TOPICS[id]);

/**
 * Resolves with what `run` failed with: each error of the chain (kafkajs wraps the broker's
 * answer when it gives up retrying) as `type-or-name: message`; fails the test when it succeeds.
 */
async function refusal(run: () => Promise<unknown>): Promise<string> {
  try {
    await run();
  } catch (err) {
    const chain: string[] = [];
    for (let e = err as { type?: string; name?: string; message?: string; errors?: { type?: string }[]; cause?: unknown } | undefined; e !== undefined; e = e.cause as typeof e) {
      chain.push(`${e.type ?? e.errors?.[0]?.type ?? e.name}: ${e.message}`);
    }
    return chain.join(' <- ');
  }
  assert.fail('expected Kafka to refuse');
}

const TOPIC_DENIED = /TOPIC_AUTHORIZATION_FAILED|Not authorized to access topics/;

async function produce(principal: ServicePrincipal, to: string, idempotent = false): Promise<void> {
  const kafka = as(principal);
  const producer = idempotent ? createIdempotentProducer(kafka) : kafka.producer({ allowAutoTopicCreation: false });
  await producer.connect();
  try {
    await producer.send({ topic: to, acks: ACKS_ALL, messages: [{ key: 'k', value: 'v' }] });
  } finally {
    await producer.disconnect();
  }
}

/**
 * Reads the first record of `from`: resolves once one arrives, rejects with the error the
 * consumer crashed with (a Fetch needs READ; WRITE alone lets a client see a topic, not read it).
 */
async function readOne(principal: ServicePrincipal, from: string, groupId: string): Promise<void> {
  const consumer = as(principal).consumer({ groupId, retry: { retries: 0 } });
  await consumer.connect();
  try {
    await new Promise<void>((resolve, reject) => {
      consumer.on(consumer.events.CRASH, (e) => reject(e.payload.error));
      void consumer.subscribe({ topics: [from], fromBeginning: true })
        .then(() => consumer.run({ eachMessage: async () => resolve() }))
        .catch(reject);
    });
  } finally {
    await consumer.disconnect();
  }
}

/** Subscribing fetches the topic's metadata, which needs READ/DESCRIBE on it. */
async function subscribe(principal: ServicePrincipal, to: string, groupId: string): Promise<void> {
  const consumer = as(principal).consumer({ groupId });
  await consumer.connect();
  try {
    await consumer.subscribe({ topics: [to], fromBeginning: true });
  } finally {
    await consumer.disconnect();
  }
}

before(async () => {
  await provisionTenants(adminConfig, [tenant], silent);
});

test('a client without SASL credentials cannot even list topics', async () => {
  const anonymous = new Kafka({ clientId: 'anonymous', brokers: [...adminConfig.kafka.brokers], logLevel: logLevel.NOTHING, connectionTimeout: 3000, retry: { retries: 0 } });
  const admin = anonymous.admin();
  await refusal(() => admin.connect().then(() => admin.listTopics()));
  await admin.disconnect().catch(() => {});
});

test('a client with a wrong password is refused at authentication', async () => {
  const wrong = createKafka(stackConfig({ IES_KAFKA_PASSWORD: 'not-the-password' }, 'admin'), silent, { retry: { retries: 0 } });
  const admin = wrong.admin();
  assert.match(await refusal(() => admin.connect().then(() => admin.listTopics())), /^KafkaJSSASLAuthenticationError: .*invalid credentials/);
  await admin.disconnect().catch(() => {});
});

test('the loader reads what it loads but cannot produce meter batches or registry entries, nor read statements', async () => {
  assert.match(await refusal(() => produce('loader', topic('meterBatches'))), TOPIC_DENIED);
  assert.match(await refusal(() => produce('loader', topic('registry'))), TOPIC_DENIED);
  assert.match(await refusal(() => subscribe('loader', topic('statements'), `ies-loader-${tenant}`)), TOPIC_DENIED);
  await subscribe('loader', topic('meterBatches'), `ies-loader-${tenant}`);
  // Only the topics it has ACLs on are visible to it.
  const admin = as('loader').admin();
  await admin.connect();
  const visible = (await admin.listTopics()).filter((t) => t.startsWith(`ies.${tenant}.`)).sort();
  await admin.disconnect();
  assert.deepEqual(visible, [topic('deadLetter'), topic('drEvents'), topic('meterBatches'), topic('receipts'), topic('registry')].sort());
});

test('the gateway produces meter batches and statements (idempotent) but cannot read statements or receipts', async () => {
  await produce('gateway', topic('meterBatches'), true);
  await produce('gateway', topic('statements'), true);
  assert.match(await refusal(() => readOne('gateway', topic('statements'), `${adminConfig.nodeId}-gateway-${tenant}`)), TOPIC_DENIED);
  assert.match(await refusal(() => subscribe('gateway', topic('receipts'), `${adminConfig.nodeId}-gateway-${tenant}`)), TOPIC_DENIED);
  // The loader, which loads meter batches, reads the one just written.
  await readOne('loader', topic('meterBatches'), `ies-loader-${tenant}-read`);
});

test('a consumer group outside the principal\'s prefixes is refused', async () => {
  assert.match(await refusal(() => readOne('loader', topic('meterBatches'), `ies-fanout-${tenant}`)), /GROUP_AUTHORIZATION_FAILED|KafkaJSGroupCoordinatorNotFound/);
});

test('only the notary writes receipts; the fan-out writes reads, not batches', async () => {
  await produce('notary', topic('receipts'), true);
  assert.match(await refusal(() => produce('gateway', topic('receipts'))), TOPIC_DENIED);
  assert.match(await refusal(() => produce('fanout', topic('meterBatches'))), TOPIC_DENIED);
  await produce('fanout', topic('meterReads'), true);
});

test('a service cannot create topics or take another service\'s transactional id', async () => {
  const admin = as('loader').admin();
  await admin.connect();
  try {
    assert.match(await refusal(() => admin.createTopics({ topics: [{ topic: `ies.${tenant}.rogue.v1` }] })), /^TOPIC_AUTHORIZATION_FAILED: /);
  } finally {
    await admin.disconnect();
  }
  // Its own prefix works; the notary's is refused (kafkajs reports the refused
  // FindCoordinator for the transactional id as a coordinator it cannot find).
  const own = as('fanout').producer({ transactionalId: `${adminConfig.nodeId}-fanout-${tenant}`, idempotent: true, maxInFlightRequests: 1 });
  const other = as('fanout').producer({ transactionalId: `ies-notary-${tenant}`, idempotent: true, maxInFlightRequests: 1 });
  try {
    await own.connect();
    await (await own.transaction()).abort();
    assert.match(await refusal(() => other.connect().then(() => other.transaction())), /TRANSACTIONAL_ID_AUTHORIZATION_FAILED|KafkaJSGroupCoordinatorNotFound/);
  } finally {
    await own.disconnect();
    await other.disconnect().catch(() => {});
  }
});

test('a service checks that its topics are provisioned and names the command that does it', async () => {
  const unprovisioned = uniqueTenant('ACL');
  const admin = as('notary').admin();
  await admin.connect();
  try {
    await requireTenantTopics(admin, tenant, 'notary');
    await assert.rejects(requireTenantTopics(admin, unprovisioned, 'notary'), (err: unknown) => err instanceof IesError && err.code === 'IES_ERR_TENANT_NOT_PROVISIONED' && err.message.includes(`ies tenants provision ${unprovisioned}`));
  } finally {
    await admin.disconnect();
  }
});

