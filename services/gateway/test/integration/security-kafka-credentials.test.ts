import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { Kafka, logLevel } from 'kafkajs';
import { SchemaRegistry } from '@kafkajs/confluent-schema-registry';
import { SignJWT } from 'jose';
import { TOPICS, aggregatorTopicName } from '@ies/contracts';
import { generateSigningKey, signDetached, type KeyPair } from '@ies/crypto';
import { eventually } from '@ies/testing';
import { startHarness, type Json } from './harness.js';

// An aggregator's issued Kafka credential, used by a plain kafkajs consumer that knows nothing
// but the answer: it reads its own DR feed, is refused on another aggregator's feed and on
// another tenant's, and is refused after revocation and after expiry (the sweeper).
let h: Awaited<ReturnType<typeof startHarness>>;
let tenantA: string;
let tenantB: string;
const keys: Record<string, KeyPair> = {};
const feed = (discom: string, agg: string) => aggregatorTopicName(discom, agg, TOPICS.drEvents);

/** A free port on 127.0.0.1: the node listens there, and its public URL (what a credential names) says so. */
async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((r) => server.close(r));
  return port;
}
let avroRecord: { bytes: Buffer; value: unknown };

before(async () => {
  const port = await freePort();
  h = await startHarness(2, { IES_DR_KAFKA_ISSUER: 'admin', IES_DR_KAFKA_CREDENTIAL_SWEEP_MS: '200', IES_PUBLIC_URL: `http://127.0.0.1:${port}` });
  await h.app.listen({ host: '127.0.0.1', port });
  [tenantA, tenantB] = h.tenants as [string, string];
  for (const k of ['a1', 'a2', 'a3', 'desk', 'b1']) keys[k] = await generateSigningKey('EdDSA');
  const participant = (id: string, role: string, key: KeyPair) => `  - id: ${id}\n    role: ${role}\n    name: ${id}\n    keys:\n      - ${JSON.stringify(key.publicJwk)}\n`;
  let res = await h.applyRegistry(`discom: ${tenantA}\nparticipants:\n${participant('AGG-1', 'AGGREGATOR', keys.a1!)}${participant('AGG-2', 'AGGREGATOR', keys.a2!)}${participant('AGG-3', 'AGGREGATOR', keys.a3!)}${participant('DR-DESK', 'DISCOM', keys.desk!)}`);
  assert.equal(res.statusCode, 200, res.body);
  // The same aggregator id in another tenant: a different aggregator, with its own feed.
  res = await h.applyRegistry(`discom: ${tenantB}\nparticipants:\n${participant('AGG-1', 'AGGREGATOR', keys.b1!)}`);
  assert.equal(res.statusCode, 200, res.body);
  // The DR service's feed topics (it creates them on an aggregator's first record), written as the dr principal.
  const dr = h.kafkaAs('dr');
  const admin = dr.admin();
  await admin.connect();
  const producer = dr.producer({ allowAutoTopicCreation: false });
  await producer.connect();
  try {
    for (const [discom, agg] of [[tenantA, 'AGG-1'], [tenantA, 'AGG-2'], [tenantB, 'AGG-1']] as const) {
      await admin.createTopics({ topics: [{ topic: feed(discom, agg), numPartitions: 1, replicationFactor: h.config.kafka.replicationFactor }], waitForLeaders: true });
      await eventually(() => admin.fetchTopicOffsets(feed(discom, agg)).then(() => true, () => undefined), 15_000, `${feed(discom, agg)} served`);
      await producer.send({ topic: feed(discom, agg), messages: [{ key: 'EV-1', value: `feed record of ${agg} in ${discom}` }] });
    }
    // An Avro record as the DR feed copies it: the bytes of a tenant dr-events.v1 record (its schema id is the tenant subject's).
    const id = await h.serde.registerTopic(tenantA, TOPICS.drEvents);
    const value = ((await h.serde.registry.getSchema(id)) as unknown as { random(): unknown }).random();
    avroRecord = { bytes: await h.serde.registry.encode(id, value), value: await h.serde.decode(await h.serde.registry.encode(id, value)) };
    await producer.send({ topic: feed(tenantA, 'AGG-1'), messages: [{ key: 'EV-2', value: avroRecord.bytes }] });
  } finally {
    await producer.disconnect();
    await admin.disconnect();
  }
});
after(async () => h.close());

async function signed(method: 'POST' | 'DELETE', url: string, body: unknown, key: KeyPair, jti = randomUUID()) {
  const bytes = Buffer.from(JSON.stringify(body));
  const signature = await signDetached(bytes, key, { iat: Math.floor(Date.now() / 1000), jti, htm: method, htu: url, tenant: h.registry.key(key.kid)?.discomId ?? '' });
  return h.app.inject({ method, url, headers: { 'content-type': 'application/json', 'x-ies-signature': signature }, payload: bytes });
}

/** What the broker answered to the client's FindCoordinator requests (kafkajs reports only "not found"). */
const coordinatorErrors: string[] = [];

/** A client built from the answer alone, as the aggregator would. */
function clientOf(c: Json): Kafka {
  assert.equal(c['fulfillment:saslMechanism'], 'SCRAM-SHA-512');
  return new Kafka({
    clientId: 'aggregator-consumer',
    brokers: String(c['fulfillment:bootstrapServers']).split(','),
    sasl: { mechanism: 'scram-sha-512', username: c['fulfillment:saslUsername'], password: c['fulfillment:saslPassword'] },
    logLevel: logLevel.DEBUG,
    logCreator: () => ({ log }) => {
      const { message, error } = log as { message: string; error?: { type?: string } | string };
      if (message.startsWith('Tried to find group coordinator')) coordinatorErrors.push(typeof error === 'object' && error !== null ? String(error.type) : String(error));
    },
    retry: { retries: 1, initialRetryTime: 100 },
  });
}

/** The Kafka error type of a refused call (undefined when it succeeded). */
async function refusal(call: () => Promise<unknown>): Promise<string | undefined> {
  try {
    await call();
    return undefined;
  } catch (err) {
    const e = err as { type?: string; name?: string; originalError?: { type?: string } };
    return e.type ?? e.originalError?.type ?? e.name ?? String(err);
  }
}

/** Reads the first record of `topic` with the credential's own consumer group. */
async function readFirst(kafka: Kafka, topic: string, groupId: string): Promise<string> {
  const consumer = kafka.consumer({ groupId, readUncommitted: false });
  await consumer.connect();
  try {
    await consumer.subscribe({ topics: [topic], fromBeginning: true });
    let value: string | undefined;
    await consumer.run({ eachMessage: async ({ message }) => { value ??= message.value?.toString(); } });
    return await eventually(async () => value, 30_000, `a record on ${topic}`);
  } finally {
    await consumer.disconnect();
  }
}

test('an issued credential reads its own feed and nothing else; revoked, it is refused', async () => {
  const res = await signed('POST', '/v1/dr/kafka-credentials', { ttlSeconds: 600 }, keys.a1!);
  assert.equal(res.statusCode, 201, res.body);
  const c = res.json() as Json;
  assert.equal(c['@type'], 'KafkaConsumerCredentials');
  assert.equal(c['fulfillment:topicName'], feed(tenantA, 'AGG-1'));
  assert.deepEqual(c['ies:topicNames'], ['drEvents', 'baselines', 'drPerformance'].map((id) => aggregatorTopicName(tenantA, 'AGG-1', TOPICS[id as 'drEvents'])));
  assert.equal(c['fulfillment:startOffset'], 'earliest');
  assert.ok(String(c['fulfillment:consumerGroupId']).startsWith(c['ies:consumerGroupPrefix'] as string));
  assert.ok(Date.parse(c['fulfillment:credentialExpiresAt'] as string) > Date.now());
  assert.ok(String(c['fulfillment:saslPassword']).length >= 32);
  assert.equal(c['fulfillment:schemaRegistryUrl'], `${h.config.http.publicUrl}/v1/dr/schema-registry`, 'the aggregator’s own registry view, not the shared registry');

  const kafka = clientOf(c);
  // Reads its own DR feed (with what it was given: topic, group, start offset).
  assert.equal(await readFirst(kafka, c['fulfillment:topicName'] as string, c['fulfillment:consumerGroupId'] as string), `feed record of AGG-1 in ${tenantA}`);

  // Refused on another aggregator's feed, on another tenant's same-named aggregator's feed,
  // on a group outside its prefix, and it may not write to its own feed.
  const admin = kafka.admin();
  await admin.connect();
  try {
    assert.equal(await refusal(() => admin.fetchTopicOffsets(feed(tenantA, 'AGG-2'))), 'TOPIC_AUTHORIZATION_FAILED');
    assert.equal(await refusal(() => admin.fetchTopicOffsets(feed(tenantB, 'AGG-1'))), 'TOPIC_AUTHORIZATION_FAILED');
    assert.equal(await refusal(() => readFirst(kafka, feed(tenantA, 'AGG-2'), c['fulfillment:consumerGroupId'] as string)), 'TOPIC_AUTHORIZATION_FAILED');
    // kafkajs hides the broker's answer to FindCoordinator behind "not found"; its debug log has it.
    coordinatorErrors.length = 0;
    assert.equal(await refusal(() => admin.fetchOffsets({ groupId: `agg.${tenantA}.AGG-2.feed`, topics: [feed(tenantA, 'AGG-1')] })), 'KafkaJSGroupCoordinatorNotFound');
    assert.ok(coordinatorErrors.length > 0 && coordinatorErrors.every((e) => e === 'GROUP_AUTHORIZATION_FAILED'), coordinatorErrors.join(', '));
    const producer = kafka.producer({ allowAutoTopicCreation: false, retry: { retries: 0 } });
    await producer.connect();
    assert.equal(await refusal(() => producer.send({ topic: feed(tenantA, 'AGG-1'), messages: [{ value: 'forged' }] })), 'TOPIC_AUTHORIZATION_FAILED');
    await producer.disconnect();

    // The list shows it, never its secret; a replay of the issuing request has no secret either.
    const token = await new SignJWT({}).setProtectedHeader({ alg: keys.a1!.alg, kid: keys.a1!.kid }).setIssuer('AGG-1').setAudience(h.config.nodeId).setIssuedAt().setExpirationTime('5m').sign(keys.a1!.privateKey);
    const list = await h.app.inject({ method: 'GET', url: '/v1/dr/kafka-credentials', headers: { authorization: `Bearer ${token}` } });
    assert.equal(list.statusCode, 200, list.body);
    assert.deepEqual((list.json() as Json).credentials.map((x: Json) => x.username), [c['fulfillment:saslUsername']]);
    assert.ok(!list.body.includes(c['fulfillment:saslPassword'] as string));

    // Another aggregator may not revoke it; the DISCOM may.
    const path = `/v1/dr/kafka-credentials/${encodeURIComponent(c['fulfillment:saslUsername'] as string)}`;
    assert.equal((await signed('DELETE', path, {}, keys.a2!)).statusCode, 404);
    const t0 = Date.now();
    const revoked = await signed('DELETE', path, {}, keys.desk!);
    assert.equal(revoked.statusCode, 200, revoked.body);
    const answeredMs = Date.now() - t0;
    // The connection opened before revocation: its next request is refused (ACLs are checked per request).
    const openRefused = await eventually(() => refusal(() => admin.fetchTopicOffsets(feed(tenantA, 'AGG-1'))), 30_000, 'the open connection refused');
    const openMs = Date.now() - t0;
    // A new connection cannot authenticate (the SCRAM user is gone).
    const fresh = await eventually(() => refusal(async () => { const a = kafka.admin(); await a.connect(); await a.disconnect(); }), 30_000, 'a new connection refused');
    const freshMs = Date.now() - t0;
    assert.equal(openRefused, 'TOPIC_AUTHORIZATION_FAILED');
    assert.match(fresh, /SASL|Authentication/i);
    console.log(`kafka credential revocation: answered in ${answeredMs} ms; open connection refused after ${openMs} ms (${openRefused}); new connection refused after ${freshMs} ms (${fresh})`);
  } finally {
    await admin.disconnect();
  }
});

test('the credential’s registry view: its consumer decodes its feed’s Avro records with nothing but the answer; other subjects and a revoked credential are refused', async () => {
  const res = await signed('POST', '/v1/dr/kafka-credentials', { ttlSeconds: 600 }, keys.a1!);
  assert.equal(res.statusCode, 201, res.body);
  const c = res.json() as Json;
  const url = c['fulfillment:schemaRegistryUrl'] as string;
  const auth = { username: c['fulfillment:saslUsername'] as string, password: c['fulfillment:saslPassword'] as string };
  const registry = new SchemaRegistry({ host: url, auth }, undefined);
  // The aggregator's consumer: its own group, its feed, Avro decoded through its view.
  const consumer = clientOf(c).consumer({ groupId: `${c['ies:consumerGroupPrefix']}avro`, readUncommitted: false });
  await consumer.connect();
  let decoded: unknown;
  try {
    await consumer.subscribe({ topics: [c['fulfillment:topicName'] as string], fromBeginning: true });
    await consumer.run({ eachMessage: async ({ message }) => { if (message.value?.[0] === 0) decoded ??= await registry.decode(message.value); } });
    await eventually(async () => decoded, 30_000, 'an Avro record decoded through the registry view');
  } finally {
    await consumer.disconnect();
  }
  assert.deepEqual(JSON.parse(JSON.stringify(decoded)), JSON.parse(JSON.stringify(avroRecord.value)), 'the record decoded through the view is the one the feed carries');
  // What the view lists and refuses (Confluent REST shapes).
  const basic = (u: string, p: string) => ({ authorization: `Basic ${Buffer.from(`${u}:${p}`).toString('base64')}` });
  const get = async (path: string, headers: Record<string, string> = basic(auth.username, auth.password)) => {
    const r = await fetch(`${url}${path}`, { headers });
    return { status: r.status, json: (await r.json()) as Json };
  };
  const own = (c['ies:topicNames'] as string[]).map((t) => `${t}-value`);
  assert.deepEqual((await get('/subjects')).json, own);
  const latest = await get(`/subjects/${own[0]}/versions/latest`);
  assert.equal(latest.status, 200);
  assert.equal(latest.json.subject, own[0]);
  assert.equal((await get(`/schemas/ids/${latest.json.id}`)).status, 200);
  for (const other of [`${feed(tenantA, 'AGG-2')}-value`, `${feed(tenantB, 'AGG-1')}-value`, `ies.${tenantA}.meter-reads.v1-value`, `ies.${tenantA}.dr-events.v1-value`]) {
    const refused = await get(`/subjects/${other}/versions/latest`);
    assert.deepEqual([refused.status, refused.json.error_code], [403, 40301], other);
  }
  const meterReads = await h.serde.registerTopic(tenantA, TOPICS.meterReads);
  assert.equal((await get(`/schemas/ids/${meterReads}`)).status, 404, 'a schema of a topic it does not read is not served by id');
  assert.equal((await get('/subjects', basic(auth.username, `${auth.password}x`))).status, 401);
  assert.equal((await get('/subjects', {})).status, 401);
  assert.equal((await fetch(`${url}/subjects/${own[0]}/versions`, { method: 'POST', headers: { ...basic(auth.username, auth.password), 'content-type': 'application/json' }, body: '{"schema":"\\"string\\""}' })).status, 404, 'nothing is written through the view');
  assert.equal((await signed('DELETE', `/v1/dr/kafka-credentials/${encodeURIComponent(auth.username)}`, {}, keys.a1!)).statusCode, 200);
  assert.equal((await get('/subjects')).status, 401, 'revoked: refused at once');
});

test('an expired credential is deleted by the sweeper and refused', async () => {
  const res = await signed('POST', '/v1/dr/kafka-credentials', { ttlSeconds: 60 }, keys.b1!);
  assert.equal(res.statusCode, 201, res.body);
  const c = res.json() as Json;
  assert.equal(c['fulfillment:topicName'], feed(tenantB, 'AGG-1'));
  const kafka = clientOf(c);
  assert.equal(await readFirst(kafka, c['fulfillment:topicName'] as string, c['fulfillment:consumerGroupId'] as string), `feed record of AGG-1 in ${tenantB}`);
  const t0 = Date.now();
  h.setClock(Date.parse(c['fulfillment:credentialExpiresAt'] as string) + 1); // the node's clock passes the expiry
  try {
    const fresh = await eventually(() => refusal(async () => { const a = kafka.admin(); await a.connect(); await a.disconnect(); }), 30_000, 'the expired credential refused');
    assert.match(fresh, /SASL|Authentication/i);
    console.log(`kafka credential expiry: refused ${Date.now() - t0} ms after the node clock passed credentialExpiresAt (sweep every 200 ms)`);
  } finally {
    h.setClock(undefined);
  }
  const token = await new SignJWT({}).setProtectedHeader({ alg: keys.b1!.alg, kid: keys.b1!.kid }).setIssuer('AGG-1').setAudience(h.config.nodeId).setIssuedAt().setExpirationTime('5m').sign(keys.b1!.privateKey);
  const list = await h.app.inject({ method: 'GET', url: '/v1/dr/kafka-credentials', headers: { authorization: `Bearer ${token}` } });
  assert.deepEqual((list.json() as Json).credentials, []);
});

test('a replayed issuing request gets the same credential without its secret; a DISCOM is not issued one', async () => {
  const jti = randomUUID();
  const first = await signed('POST', '/v1/dr/kafka-credentials', {}, keys.a2!, jti);
  assert.equal(first.statusCode, 201, first.body);
  const again = await signed('POST', '/v1/dr/kafka-credentials', {}, keys.a2!, jti);
  assert.equal(again.headers['idempotent-replayed'], 'true');
  const [a, b] = [first.json() as Json, again.json() as Json];
  assert.equal(b['fulfillment:saslUsername'], a['fulfillment:saslUsername']);
  assert.equal(b['fulfillment:saslPassword'], undefined);
  assert.equal((await signed('POST', '/v1/dr/kafka-credentials', {}, keys.desk!)).statusCode, 403);
  assert.equal((await signed('DELETE', `/v1/dr/kafka-credentials/${encodeURIComponent(a['fulfillment:saslUsername'] as string)}`, {}, keys.a2!)).statusCode, 200);
});

test('an aggregator without a feed yet gets its topics with its credential (empty, readable)', async () => {
  const res = await signed('POST', '/v1/dr/kafka-credentials', {}, keys.a3!);
  assert.equal(res.statusCode, 201, res.body);
  const c = res.json() as Json;
  const admin = clientOf(c).admin();
  await admin.connect();
  try {
    for (const topic of c['ies:topicNames'] as string[]) {
      const offsets = await eventually(() => admin.fetchTopicOffsets(topic).catch(() => undefined), 15_000, `${topic} served`);
      assert.ok(offsets.every((o) => o.high === '0'), `${topic} is empty`);
    }
  } finally {
    await admin.disconnect();
  }
  assert.equal((await signed('DELETE', `/v1/dr/kafka-credentials/${encodeURIComponent(c['fulfillment:saslUsername'] as string)}`, {}, keys.a3!)).statusCode, 200);
});

test('an aggregator holds at most five credentials at once', async () => {
  const issued: string[] = [];
  for (let i = 0; i < 5; i++) {
    const res = await signed('POST', '/v1/dr/kafka-credentials', {}, keys.a2!);
    assert.equal(res.statusCode, 201, res.body);
    issued.push((res.json() as Json)['fulfillment:saslUsername']);
  }
  const sixth = await signed('POST', '/v1/dr/kafka-credentials', {}, keys.a2!);
  assert.equal(sixth.statusCode, 400);
  assert.match((sixth.json() as Json).detail, /already holds 5 Kafka credentials/);
  for (const u of issued) assert.equal((await signed('DELETE', `/v1/dr/kafka-credentials/${encodeURIComponent(u)}`, {}, keys.desk!)).statusCode, 200);
});
