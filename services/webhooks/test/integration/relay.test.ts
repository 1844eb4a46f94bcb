import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Queue } from 'bullmq';
import { TOPICS, topicName, type TopicSpec } from '@ies/contracts';
import { generateSigningKey, verifyDetached, type KeyPair } from '@ies/crypto';
import { ACKS_ALL, AvroSerde, createIdempotentProducer, createKafka, provisionTenants } from '@ies/kafka';
import { createRedis } from '@ies/redis';
import { eventually, stackConfig, uniqueTenant } from '@ies/testing';
import { WebhookRegistry, deliveryId, startWebhookRelay, webhookKeys, type DeliveryJobData, type WebhookRelay } from '../../src/index.js';

// The relay reads as the webhooks Kafka user; the test provisions and plays the DR service as the admin.
const config = stackConfig({}, 'webhooks');
const adminConfig = stackConfig({}, 'admin');
const silent = { error() {}, warn() {}, info() {}, debug() {} };
const kafka = createKafka(config, silent);
const outside = createKafka(adminConfig, silent);
const serde = new AvroSerde({ registryUrl: config.registry.url });
const tenant = uniqueTenant('WH');
const queueName = `ies.dr-webhooks.${tenant}`;
const redis = createRedis(config);
const warnings: string[] = [];
const log = { ...silent, warn: (_o: object, msg: string) => void warnings.push(msg) };

const T = { drEvents: topicName(tenant, TOPICS.drEvents), baselines: topicName(tenant, TOPICS.baselines), drPerformance: topicName(tenant, TOPICS.drPerformance) };
const idOf = {
  event: (eventId: string, version: number) => deliveryId(T.drEvents, 'drEvents', { eventId, aggregatorId: '', version }),
  baseline: (eventId: string, eventVersion: number, meterId: string) => deliveryId(T.baselines, 'baselines', { eventId, aggregatorId: '', eventVersion, meterId }),
  performance: (eventId: string, version: number) => deliveryId(T.drPerformance, 'drPerformance', { eventId, aggregatorId: '', version }),
};

interface Arrival { jti: string; body: Record<string, unknown>; status: number }
const arrivals: Arrival[] = [];
const badSignatures: string[] = [];
/** jti → how many more times to answer 503 (Infinity: always). */
const failures = new Map<string, number>();

let key: KeyPair;
let server: Server;
let relay: WebhookRelay;

before(async () => {
  key = await generateSigningKey();
  server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      void (async () => {
        const body = Buffer.concat(chunks);
        let jti: string;
        try {
          assert.equal(req.headers['content-type'], 'application/json');
          ({ jti } = await verifyDetached(body, String(req.headers['x-ies-signature']), (kid) => (kid === key.kid ? key.publicJwk : undefined)));
        } catch (err) {
          badSignatures.push((err as Error).message);
          res.writeHead(401).end();
          return;
        }
        const left = failures.get(jti) ?? 0;
        const status = left > 0 ? 503 : 204;
        if (left > 0) failures.set(jti, left - 1);
        arrivals.push({ jti, body: JSON.parse(body.toString('utf8')) as Record<string, unknown>, status });
        res.writeHead(status).end();
      })();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));

  await provisionTenants(adminConfig, [tenant], silent);

  const webhooks = new WebhookRegistry(redis, { allowLoopbackHttp: true });
  await webhooks.registerWebhook(tenant, 'AGG-A', `http://127.0.0.1:${(server.address() as AddressInfo).port}/ies/dr?token=t1`);
  // AGG-B has no webhook.
  relay = await startWebhookRelay({
    kafka, serde, connection: redis, tenants: [tenant], signingKey: key, groupId: `${config.nodeId}-webhooks-${tenant}`, queueName,
    attempts: 4, backoffMs: 200, holdMs: 100, log, webhookPolicy: { allowLoopbackHttp: true },
  });
});

after(async () => {
  await relay?.stop();
  const queue = new Queue(queueName, { connection: redis });
  await queue.obliterate({ force: true });
  await queue.close();
  const keys = await redis.keys(`ies:${tenant}:webhook:*`);
  if (keys.length > 0) await redis.del(...keys);
  redis.disconnect();
  await new Promise((r) => server?.close(r));
});

const at = Date.UTC(2026, 10, 21, 12);
const drEvent = (eventId: string, aggregatorId: string, version: number, state: string) => ({
  eventId, discomId: tenant, aggregatorId, programmeId: 'PRG-1', version, state, previousState: null, at: at + version, by: aggregatorId, reason: null, event: '{}',
});
const baseline = (eventId: string, aggregatorId: string, eventVersion: number, meterId: string) => ({
  eventId, discomId: tenant, aggregatorId, eventVersion, meterId, policy: 'caiso-10of10@1', status: 'OK', detail: null,
  intervalStarts: [at], baselineWh: [1200], unadjustedWh: [1100], selectedDays: ['2026-11-20'], computedAt: at,
});
const performance = (eventId: string, aggregatorId: string, version: number) => ({
  eventId, discomId: tenant, aggregatorId, version, complete: true, deliveredWh: 500, offeredWh: 600, eligibleWh: 500, shortfallWh: 100,
  paymentPaise: 250, penaltyPaise: 10, netPaise: 240, intervals: [], computedAt: at,
});

async function produce(records: [TopicSpec, { eventId: string }][]): Promise<void> {
  const producer = createIdempotentProducer(outside);
  await producer.connect();
  for (const [spec, value] of records) {
    await producer.send({ topic: topicName(tenant, spec), acks: ACKS_ALL, messages: [{ key: value.eventId, value: await serde.encode(tenant, spec, value) }] });
  }
  await producer.disconnect();
}

const accepted = () => arrivals.filter((a) => a.status === 204);
async function sequenceOf(jti: string): Promise<number> {
  const job = await relay.queue.getJob(jti);
  assert.ok(job, `job ${jti} exists`);
  return (job.data as DeliveryJobData).sequence;
}

test('only the aggregator with a webhook receives, each message once, signed, in order per event', async () => {
  failures.set(idOf.event('E-1', 1), 2);
  await produce([
    [TOPICS.drEvents, drEvent('E-1', 'AGG-A', 1, 'DRAFT')],
    [TOPICS.drEvents, drEvent('E-3', 'AGG-B', 1, 'DRAFT')],
    [TOPICS.drEvents, drEvent('E-1', 'AGG-A', 2, 'ACTIVE')],
    [TOPICS.drEvents, drEvent('E-1', 'AGG-A', 2, 'ACTIVE')], // a duplicate Kafka record (at-least-once upstream)
    [TOPICS.drEvents, drEvent('E-2', 'AGG-A', 1, 'DRAFT')],
    [TOPICS.baselines, baseline('E-1', 'AGG-A', 2, 'M-1')],
    [TOPICS.baselines, baseline('E-1', 'AGG-A', 2, 'M-2')],
    [TOPICS.baselines, baseline('E-3', 'AGG-B', 1, 'M-9')],
    [TOPICS.drEvents, drEvent('E-1', 'AGG-A', 3, 'BASELINED')],
    [TOPICS.drEvents, drEvent('E-2', 'AGG-A', 2, 'ACTIVE')],
    [TOPICS.drPerformance, performance('E-1', 'AGG-A', 1)],
    [TOPICS.drPerformance, performance('E-1', 'AGG-A', 1)], // duplicate
    [TOPICS.drPerformance, performance('E-3', 'AGG-B', 1)],
    [TOPICS.drEvents, drEvent('E-1', 'AGG-A', 4, 'MEASURED')],
  ]);
  const expected = [
    idOf.event('E-1', 1), idOf.event('E-1', 2), idOf.event('E-1', 3), idOf.event('E-1', 4),
    idOf.baseline('E-1', 2, 'M-1'), idOf.baseline('E-1', 2, 'M-2'), idOf.performance('E-1', 1),
    idOf.event('E-2', 1), idOf.event('E-2', 2),
  ];
  await eventually(async () => (accepted().length >= expected.length ? true : undefined), 60_000, `${expected.length} deliveries`);
  await new Promise((r) => setTimeout(r, 2000)); // room for a wrongly repeated delivery to show up

  assert.deepEqual(badSignatures, []);
  const got = accepted();
  assert.deepEqual(got.map((a) => a.jti).sort(), [...expected].sort(), 'each message exactly once');
  assert.ok(got.every((a) => a.body.aggregatorId === 'AGG-A'), 'AGG-B (no webhook) receives nothing');
  assert.equal(await relay.queue.getJob(idOf.event('E-3', 1)), undefined, 'no job for an aggregator without a webhook');

  // The failing message: two 503s, then accepted; its successors waited for it.
  assert.deepEqual(arrivals.filter((a) => a.jti === idOf.event('E-1', 1)).map((a) => a.status), [503, 503, 204]);
  const e1Job = await relay.queue.getJob(idOf.event('E-1', 1));
  assert.equal(e1Job?.attemptsMade, 3, 'two failed attempts and the delivering one');
  const firstOk = arrivals.findIndex((a) => a.status === 204 && a.jti === idOf.event('E-1', 1));
  assert.ok(arrivals.slice(0, firstOk).every((a) => a.body.eventId !== 'E-1' || a.jti === idOf.event('E-1', 1)), 'nothing of E-1 before its first message');

  for (const eventId of ['E-1', 'E-2']) {
    const mine = got.filter((a) => a.body.eventId === eventId);
    const sequences = await Promise.all(mine.map((a) => sequenceOf(a.jti)));
    assert.deepEqual(sequences, sequences.map((_s, i) => i + 1), `${eventId} arrives in relay order`);
    const versions = mine.filter((a) => a.body.topic === T.drEvents).map((a) => a.body.version);
    assert.deepEqual(versions, [...(versions as number[])].sort((a, b) => a - b), `${eventId} transitions arrive in topic order`);
  }
  const sample = got.find((a) => a.jti === idOf.baseline('E-1', 2, 'M-1'));
  assert.equal(sample?.body.topic, T.baselines);
  assert.equal(sample?.body.meterId, 'M-1');
  assert.deepEqual(sample?.body.baselineWh, [1200]);
  assert.equal(typeof sample?.body.deliveredAt, 'number');
});

test('after the last attempt a message stays failed, a warning is logged, and the event moves on', async () => {
  failures.set(idOf.event('E-4', 1), Infinity);
  await produce([
    [TOPICS.drEvents, drEvent('E-4', 'AGG-A', 1, 'DRAFT')],
    [TOPICS.drEvents, drEvent('E-4', 'AGG-A', 2, 'CANCELLED')],
  ]);
  await eventually(async () => (accepted().some((a) => a.jti === idOf.event('E-4', 2)) ? true : undefined), 60_000, 'E-4 v2 delivered');
  const failed = await relay.queue.getJob(idOf.event('E-4', 1));
  assert.equal(await failed?.getState(), 'failed');
  assert.equal(failed?.attemptsMade, 4);
  assert.equal(arrivals.filter((a) => a.jti === idOf.event('E-4', 1)).length, 4);
  const lastFailure = arrivals.findLastIndex((a) => a.jti === idOf.event('E-4', 1));
  assert.ok(lastFailure < arrivals.findIndex((a) => a.jti === idOf.event('E-4', 2)), 'v2 only after v1 was given up');
  // v2 was held behind v1's retries many times; holding does not use up attempts.
  assert.equal((await relay.queue.getJob(idOf.event('E-4', 2)))?.attemptsMade, 1);
  assert.ok(warnings.some((w) => /given up after 4 attempts/.test(w)), warnings.join('\n'));
  assert.ok(Number(await redis.get(webhookKeys.settled(tenant, 'E-4'))) >= 2);
});
