// OpenADR 3.1 notifications (docs/openadr.md "Notifications") on a gateway listening on
// 127.0.0.1 and the real stack: subscriptions' callbacks for every object type a VEN or the BL
// may see, and the MQTT notifier binding (GET /notifiers, topic names, the DR service's
// broker) with a real MQTT client (`mqtt` from npm) that authenticates with its OAuth access
// token, receives its EVENT notification and is refused another VEN's topics.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import mqtt, { type MqttClient } from 'mqtt';
import { createClickHouse } from '@ies/clickhouse';
import { generateSigningKey, signDetached, type KeyPair } from '@ies/crypto';
import { DrEventStore } from '@ies/dr/events';
import { AccessTokens, VtnStore, indiaHolidayCalendar, loadPolicyRegistry, openAdrValidator, publishMqtt, reportSources, startBaselineWorker, startMqttBroker, startOpenAdrNotifier, vtnReportsOf, type MqttBroker } from '@ies/dr/testing';
import { startWebhookRelay, type WebhookRelay } from '@ies/webhooks';
import { migrateDrTables } from '@ies/dr/migrations';
import { createLogger } from '@ies/observability';
import { eventually, nullStream, stackConfig } from '@ies/testing';
import { registryYaml, startHarness, type Json } from './harness.js';

const DAY_MS = 86_400_000;
const IST_MS = 330 * 60_000;
const spec = openAdrValidator();
const ch = createClickHouse(stackConfig());
const queueName = `openadr-notifiers-it-${randomUUID()}`;
const silent = { error() {}, warn() {}, info() {}, debug() {} };
let h: Awaited<ReturnType<typeof startHarness>>;
let tenant: string;
let base: string;
let keys: Record<'agg1' | 'agg2' | 'desk', KeyPair>;
const secrets: Record<string, string> = {};
let eventStart: number;
let worker: Awaited<ReturnType<typeof startBaselineWorker>>;
let relay: WebhookRelay;
let notifier: Awaited<ReturnType<typeof startOpenAdrNotifier>>;
let broker: MqttBroker;
const subscriber = () => h.redis.duplicate();
let brokerRedis: ReturnType<typeof subscriber>;
let callbackServer: Server;
let callbackBase: string;
const callbacks: { path: string; body: Json }[] = [];
const clients: MqttClient[] = [];

function eventRequest(eventId: string, aggregatorId: string, meters: string[]) {
  return {
    eventId, programmeId: 'PEAK', aggregatorId, window: { start: eventStart, end: eventStart + 1_800_000 },
    intervals: [0, 1].map(() => ({ requestedWh: 100, offeredWh: 80, pricePaisePerKwh: 500, shortfallPenaltyPaisePerKwh: 200 })),
    participatingMeters: meters, methodology: 'deg-5of10@1',
  };
}

async function signedPost(url: string, body: unknown, key: KeyPair) {
  const bytes = Buffer.from(JSON.stringify(body));
  const signature = await signDetached(bytes, key, { iat: Math.floor(Date.now() / 1000), jti: randomUUID(), htm: 'POST', htu: url, tenant });
  return h.app.inject({ method: 'POST', url, headers: { 'content-type': 'application/json', 'x-ies-signature': signature }, payload: bytes });
}

async function bearer(participant: string): Promise<string> {
  const form = new URLSearchParams({ grant_type: 'client_credentials', client_id: `${tenant}/${participant}`, client_secret: secrets[participant] as string });
  const res = await fetch(`${base}/openadr/3.1/auth/token`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: form });
  assert.equal(res.status, 200);
  return ((await res.json()) as Json).access_token as string;
}

async function call(method: string, path: string, accessToken: string, body?: unknown, schema?: string): Promise<{ status: number; json: Json }> {
  const res = await fetch(`${base}/openadr/3.1${path}`, { method, headers: { authorization: `Bearer ${accessToken}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) }, body: body === undefined ? undefined : JSON.stringify(body) });
  const json = (await res.json()) as Json;
  if (res.status >= 400) assert.equal(spec.check('problem', json), null, `${method} ${path}: ${res.status} is a problem`);
  else if (schema !== undefined) assert.equal(spec.check(schema, json), null, `${method} ${path} matches ${schema}`);
  return { status: res.status, json };
}

/** An MQTT client connected as `participant` with an access token as password; rejects when the broker refuses it. */
async function connect(participant: string, password: string, username = `${tenant}/${participant}`, port = broker.port): Promise<MqttClient> {
  const client = mqtt.connect(`mqtt://127.0.0.1:${port}`, { username, password, reconnectPeriod: 0, connectTimeout: 5_000, clientId: `it-${randomUUID()}` });
  clients.push(client);
  await new Promise<void>((resolve, reject) => {
    client.once('connect', () => resolve());
    client.once('error', reject);
    client.once('close', () => reject(new Error('closed before CONNACK')));
  });
  return client;
}

before(async () => {
  h = await startHarness(1, { IES_WEBHOOK_QUEUE: queueName, IES_OPENADR_MQTT_URIS: 'mqtt://127.0.0.1:1' });
  [tenant] = h.tenants as [string];
  keys = { agg1: await generateSigningKey('EdDSA'), agg2: await generateSigningKey('EdDSA'), desk: await generateSigningKey('EdDSA') };
  const head = await generateSigningKey('EdDSA');
  assert.equal((await h.applyRegistry(registryYaml(tenant, { id: 'HES-1', keys: [head] }, [{ id: 'M-1' }, { id: 'M-2' }, { id: 'M-3' }, { id: 'M-4' }]))).statusCode, 200);
  const participant = (id: string, role: string, key: KeyPair) => `  - id: ${id}\n    role: ${role}\n    name: ${id} name\n    keys:\n      - ${JSON.stringify(key.publicJwk)}\n`;
  const res = await h.applyRegistry(`discom: ${tenant}\nparticipants:\n${participant('AGG-1', 'AGGREGATOR', keys.agg1)}${participant('AGG-2', 'AGGREGATOR', keys.agg2)}${participant('DR-DESK', 'DISCOM', keys.desk)}enrolments:\n  - { aggregator: AGG-1, programme: PEAK, meters: [M-1, M-2] }\n  - { aggregator: AGG-2, programme: PEAK, meters: [M-3] }\n`);
  assert.equal(res.statusCode, 200, res.body);
  await migrateDrTables(h.config);
  const tomorrowIst = Math.floor((Date.now() + IST_MS) / DAY_MS) * DAY_MS + DAY_MS - IST_MS;
  eventStart = tomorrowIst + 18 * 3_600_000;
  for (const p of ['AGG-1', 'AGG-2', 'DR-DESK']) {
    const issued = await signedPost('/v1/dr/openadr-clients', { participantId: p }, keys.desk);
    assert.equal(issued.statusCode, 201, issued.body);
    secrets[p] = (issued.json() as Json).clientSecret as string;
  }
  base = await h.app.listen({ host: '127.0.0.1', port: 0 });
  callbackServer = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      callbacks.push({ path: req.url ?? '', body: JSON.parse(Buffer.concat(chunks).toString('utf8')) as Json });
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((resolve) => callbackServer.listen(0, '127.0.0.1', resolve));
  callbackBase = `http://127.0.0.1:${(callbackServer.address() as AddressInfo).port}`;
  // The DR service's parts, as its process runs them: baselines, the webhook delivery, the notifier and the MQTT broker.
  const store = new DrEventStore(h.redis, h.deps.producer, h.serde);
  const logger = createLogger({ name: 'it', level: 'silent' }, nullStream());
  worker = await startBaselineWorker({ kafka: h.kafkaAs('dr'), serde: h.serde, ch, redis: h.redis, store, policies: loadPolicyRegistry(), calendar: indiaHolidayCalendar(), tenants: [tenant], logger, groupId: `ies-baseline-${tenant}` });
  relay = await startWebhookRelay({ kafka: h.kafkaAs('webhooks'), serde: h.serde, connection: h.redis, tenants: [tenant], signingKey: await generateSigningKey('EdDSA'), groupId: `${h.config.nodeId}-webhooks-${tenant}`, queueName, attempts: 4, backoffMs: 200, holdMs: 100, webhookPolicy: { allowLoopbackHttp: true } });
  const vtnStore = new VtnStore(h.redis);
  const reports = reportSources(ch);
  notifier = await startOpenAdrNotifier({
    kafka: h.kafkaAs('webhooks'), serde: h.serde, tenants: [tenant], groupId: `${h.config.nodeId}-webhooks-openadr-${tenant}`, events: store, subscriptions: (t) => vtnStore.owned(t, 'subscription'),
    notify: (c) => relay.notify(c), reports: (r) => vtnReportsOf(reports, r), publish: (m) => publishMqtt(h.redis, m), log: silent, fromBeginning: true,
  });
  brokerRedis = subscriber();
  broker = await startMqttBroker({ host: '127.0.0.1', port: 0, tokens: new AccessTokens(h.redis, h.config.nodeId), subscriber: brokerRedis, now: Date.now, log: silent });
});

after(async () => {
  for (const c of clients) c.end(true);
  await broker.close();
  brokerRedis.disconnect();
  await notifier.disconnect();
  await relay.queue.obliterate({ force: true });
  await relay.stop();
  await new Promise((r) => callbackServer.close(r));
  await worker.consumer.disconnect();
  await worker.producer.disconnect();
  await h.close();
  await ch.close();
});

test('GET /notifiers and the MQTT topic names: spec shapes; the BL’s trees need read_bl; a VEN gets its own tree only', async () => {
  const [a1, bl] = [await bearer('AGG-1'), await bearer('DR-DESK')];
  const notifiers = await call('GET', '/notifiers', a1, undefined, 'notifiersResponse');
  assert.deepEqual(notifiers.json, { WEBHOOK: true, MQTT: { URIS: ['mqtt://127.0.0.1:1'], serialization: 'JSON', authentication: { method: 'OAUTH2_BEARER_TOKEN', username: '{clientID}' } } });
  const events = await call('GET', '/notifiers/mqtt/topics/vens/AGG-1/events', a1, undefined, 'notifierTopicsResponse');
  assert.deepEqual(events.json.topics, { CREATE: `OpenADR/3.1.0/${tenant}/ven/AGG-1/events/create`, UPDATE: `OpenADR/3.1.0/${tenant}/ven/AGG-1/events/update`, DELETE: `OpenADR/3.1.0/${tenant}/ven/AGG-1/events/delete`, ALL: `OpenADR/3.1.0/${tenant}/ven/AGG-1/events/+` });
  assert.equal((await call('GET', '/notifiers/mqtt/topics/vens/AGG-1', a1, undefined, 'notifierTopicsResponse')).json.topics.CREATE, undefined, 'no CREATE topic for one object');
  assert.equal((await call('GET', '/notifiers/mqtt/topics/vens/AGG-2/events', a1)).status, 404, 'another VEN’s topics');
  assert.equal((await call('GET', '/notifiers/mqtt/topics/events', a1)).status, 403, 'the tenant’s trees are the BL’s');
  assert.equal((await call('GET', '/notifiers/mqtt/topics/events', bl, undefined, 'notifierTopicsResponse')).json.topics.CREATE, `OpenADR/3.1.0/${tenant}/events/create`);
  for (const path of ['programs', 'programs/PEAK', 'programs/PEAK/events', 'reports', 'subscriptions', 'vens', 'resources', 'vens/AGG-2', 'vens/AGG-2/programs', 'vens/AGG-2/resources']) {
    assert.equal((await call('GET', `/notifiers/mqtt/topics/${path}`, bl, undefined, 'notifierTopicsResponse')).status, 200, path);
  }
});

test('MQTT: a VEN authenticates with its access token, receives its EVENT notification, and is refused other VENs’ topics and publishing', async () => {
  const a1 = await bearer('AGG-1');
  await assert.rejects(connect('AGG-1', 'not-a-token'), 'a password that is no access token');
  await assert.rejects(connect('AGG-2', a1), 'AGG-1’s token under AGG-2’s name');
  const ven = await connect('AGG-1', a1);
  const received: { topic: string; body: Json }[] = [];
  ven.on('message', (topic, payload) => received.push({ topic, body: JSON.parse(payload.toString('utf8')) as Json }));
  const own = ((await call('GET', '/notifiers/mqtt/topics/vens/AGG-1/events', a1)).json.topics as Json).ALL as string;
  assert.deepEqual((await ven.subscribeAsync(own)).map((g) => g.qos), [0], 'its own tree is granted');
  for (const other of [`OpenADR/3.1.0/${tenant}/ven/AGG-2/events/+`, `OpenADR/3.1.0/${tenant}/events/+`, `OpenADR/3.1.0/${tenant}/ven/+/events/+`, '#']) {
    // The broker answers 0x80 (failure) in SUBACK, which the client reports as an error.
    await assert.rejects(ven.subscribeAsync(other), /Subscribe error/, other);
  }
  // The BL, on the tenant's tree, sees both aggregators' events.
  const desk = await connect('DR-DESK', await bearer('DR-DESK'));
  const deskReceived: { topic: string; body: Json }[] = [];
  desk.on('message', (topic, payload) => deskReceived.push({ topic, body: JSON.parse(payload.toString('utf8')) as Json }));
  assert.deepEqual((await desk.subscribeAsync(`OpenADR/3.1.0/${tenant}/events/+`)).map((g) => g.qos), [0]);

  for (const [id, agg, key, meters] of [['EV-M1', 'AGG-1', keys.agg1, ['M-1']], ['EV-M2', 'AGG-2', keys.agg2, ['M-3']]] as const) {
    assert.equal((await signedPost('/v1/dr/events', eventRequest(id, agg, [...meters]), key)).statusCode, 201);
    assert.equal((await signedPost(`/v1/dr/events/${id}/transitions`, { to: 'ACTIVE' }, key)).statusCode, 200);
  }
  const created = await eventually(async () => received.find((m) => m.body.object?.eventName === 'EV-M1' && m.body.operation === 'CREATE'), 30_000, 'AGG-1 told of EV-M1 over MQTT');
  assert.equal(created.topic, `OpenADR/3.1.0/${tenant}/ven/AGG-1/events/create`);
  assert.equal(spec.check('notification', created.body), null, 'the MQTT message is the spec’s notification');
  await eventually(async () => (deskReceived.some((m) => m.body.object?.eventName === 'EV-M2') ? true : undefined), 30_000, 'the BL told of AGG-2’s event');
  for (const m of deskReceived) assert.equal(spec.check('notification', m.body), null);
  assert.ok(!received.some((m) => m.body.object?.eventName === 'EV-M2'), 'AGG-1 never receives AGG-2’s event');
  // A client may not publish: the broker closes the connection of one that tries.
  const closed = new Promise<void>((resolve) => ven.once('close', () => resolve()));
  ven.publish(`OpenADR/3.1.0/${tenant}/ven/AGG-1/events/create`, '{}');
  await closed;
});

test('MQTT: a connection ends when its access token expires, and an expired token does not connect', async () => {
  // A broker whose clock is 2 s short of the token's lifetime (ACCESS_TOKEN_SECONDS = 300), then past it.
  // The token's exp is in whole seconds (floored from the issue time), so it may end up to 1 s sooner than
  // issue + 300 s: 2 s leaves the connect a second to get through before the broker closes it.
  let shiftMs = 298_000;
  const redis = subscriber();
  const late = await startMqttBroker({ host: '127.0.0.1', port: 0, tokens: new AccessTokens(h.redis, h.config.nodeId), subscriber: redis, now: () => Date.now() + shiftMs, log: silent });
  try {
    const token = await bearer('AGG-1');
    const ven = await connect('AGG-1', token, undefined, late.port);
    await new Promise<void>((resolve) => ven.once('close', () => resolve()));
    shiftMs = 301_000;
    await assert.rejects(connect('AGG-1', token, undefined, late.port), /Bad username or password|Not authorized|refused/i);
  } finally {
    await late.close();
    redis.disconnect();
  }
});

test('callbacks for every object type a VEN may see (programs, events, reports, subscriptions, VENs, resources), each a spec notification, none of another aggregator’s', async () => {
  const [a1, a2, bl] = [await bearer('AGG-1'), await bearer('AGG-2'), await bearer('DR-DESK')];
  // The node's first sweep (every 2 s) has recorded what each viewer sees: what changes from here on is an UPDATE or a new object.
  await eventually(async () => ((await h.redis.exists(`ies:${tenant}:openadr:seen:~bl`)) === 1 ? true : undefined), 30_000, 'the first program/VEN/resource sweep');
  const all = (path: string) => [{ objects: ['PROGRAM', 'EVENT', 'REPORT', 'SUBSCRIPTION', 'VEN', 'RESOURCE'], operations: ['CREATE', 'UPDATE', 'DELETE'], callbackUrl: `${callbackBase}/${path}`, bearerToken: `tok-${path}` }];
  assert.equal((await call('POST', '/subscriptions', bl, { clientName: 'desk', objectOperations: all('desk') }, 'subscription')).status, 201);
  assert.equal((await call('POST', '/subscriptions', a2, { clientName: 'agg-2', objectOperations: all('agg-2') }, 'subscription')).status, 201);
  const mine = await call('POST', '/subscriptions', a1, { clientName: 'agg-1', objectOperations: all('agg-1') }, 'subscription');
  assert.equal(mine.status, 201);
  // RESOURCE: M-4 enrolled with AGG-1 (a registry document); EVENT and REPORT: EV-C dispatched and baselined.
  assert.equal((await h.applyRegistry(`discom: ${tenant}\nenrolments:\n  - { aggregator: AGG-1, programme: PEAK, meters: [M-4] }\n`)).statusCode, 200);
  assert.equal((await signedPost('/v1/dr/events', eventRequest('EV-C', 'AGG-1', ['M-1', 'M-4']), keys.agg1)).statusCode, 201);
  assert.equal((await signedPost('/v1/dr/events/EV-C/transitions', { to: 'ACTIVE' }, keys.agg1)).statusCode, 200);
  const told = (path: string, type: string, op: string, match: (o: Json) => boolean = () => true) =>
    eventually(async () => callbacks.find((c) => c.path === `/${path}` && c.body.objectType === type && c.body.operation === op && match(c.body.object as Json)), 60_000, `${path} told ${type} ${op} (told: ${callbacks.map((c) => `${c.path} ${c.body.objectType} ${c.body.operation}`).join(', ')})`);
  await told('agg-1', 'RESOURCE', 'CREATE', (o) => o.resourceName === 'M-4');
  await told('agg-1', 'EVENT', 'CREATE', (o) => o.eventName === 'EV-C');
  await told('agg-1', 'PROGRAM', 'UPDATE', (o) => o.programName === 'PEAK');
  const baseline = await told('agg-1', 'REPORT', 'CREATE', (o) => String(o.reportName).startsWith('BASELINE'));
  // A report the VEN posts, the VEN itself (its name changes in the registry), and the BL told of the VEN's subscription without its bearer token.
  const claim = await call('POST', '/reports', a1, { eventID: baseline.body.object.eventID, clientName: 'agg-1', reportName: 'claim', resources: [{ resourceName: 'M-1', intervals: [{ id: 0, payloads: [{ type: 'USAGE', values: [10] }] }] }] }, 'report');
  assert.equal(claim.status, 201);
  await told('agg-1', 'REPORT', 'CREATE', (o) => o.id === claim.json.id);
  assert.equal((await h.applyRegistry(`discom: ${tenant}\nparticipants:\n  - id: AGG-1\n    role: AGGREGATOR\n    name: Aggregator One renamed\n    keys:\n      - ${JSON.stringify(keys.agg1.publicJwk)}\n`)).statusCode, 200);
  await told('agg-1', 'VEN', 'UPDATE', (o) => o.venName === 'AGG-1');
  const subscriptionSeen = await told('desk', 'SUBSCRIPTION', 'CREATE', (o) => o.id === mine.json.id);
  assert.equal(subscriptionSeen.body.object.objectOperations[0].bearerToken, null, 'the BL is not shown a VEN’s callback token');
  assert.equal((await call('DELETE', `/subscriptions/${mine.json.id}`, a1)).status, 200);
  await told('desk', 'SUBSCRIPTION', 'DELETE', (o) => o.id === mine.json.id);

  for (const c of callbacks) assert.equal(spec.check('notification', c.body), null, `${c.path} ${c.body.objectType} ${c.body.operation}: ${spec.check('notification', c.body)}`);
  const types = new Set(callbacks.filter((c) => c.path === '/agg-1').map((c) => c.body.objectType));
  assert.deepEqual([...types].sort(), ['EVENT', 'PROGRAM', 'REPORT', 'RESOURCE', 'SUBSCRIPTION', 'VEN'], 'AGG-1 was told of each kind of object');
  const toAgg2 = callbacks.filter((c) => c.path === '/agg-2');
  assert.ok(!toAgg2.some((c) => JSON.stringify(c.body).includes('"AGG-1"') || c.body.object?.resourceName === 'M-4' || c.body.object?.eventName === 'EV-C' || c.body.object?.id === claim.json.id), 'AGG-2 is told nothing of AGG-1’s objects');
  assert.ok(callbacks.some((c) => c.path === '/desk' && c.body.objectType === 'RESOURCE' && c.body.object.resourceName === 'M-4'), 'the BL sees the tenant');
});
