import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { SignJWT } from 'jose';
import { createClickHouse } from '@ies/clickhouse';
import { TOPICS, aggregatorTopicName, topicName } from '@ies/contracts';
import { generateSigningKey, signDetached, type KeyPair } from '@ies/crypto';
import { DrEventStore } from '@ies/dr/events';
import { PerformanceSweep, indiaHolidayCalendar, loadPolicyRegistry, startAggregatorFeed, startBaselineWorker } from '@ies/dr/testing';
import { migrateDrTables } from '@ies/dr/migrations';
import { createLogger } from '@ies/observability';
import { createRedis } from '@ies/redis';
import { eventually, nullStream, stackConfig } from '@ies/testing';
import { registryYaml, startHarness, type Json } from './harness.js';

const DAY_MS = 86_400_000;
const IST_MS = 330 * 60_000;
let h: Awaited<ReturnType<typeof startHarness>>;
let tenant: string;
let agg: KeyPair;
let rival: KeyPair;
let worker: Awaited<ReturnType<typeof startBaselineWorker>>;
let feed: Awaited<ReturnType<typeof startAggregatorFeed>>;
let admin: ReturnType<typeof h.kafka.admin>;
const ch = createClickHouse(stackConfig());
const redis = createRedis(stackConfig());
let eventStart: number;
let desk: KeyPair;
let store: DrEventStore;

before(async () => {
  h = await startHarness(1);
  [tenant] = h.tenants as [string];
  agg = await generateSigningKey('EdDSA');
  rival = await generateSigningKey('EdDSA');
  desk = await generateSigningKey('EdDSA');
  const head = await generateSigningKey('EdDSA');
  assert.equal((await h.applyRegistry(registryYaml(tenant, { id: 'HES-1', keys: [head] }, [{ id: 'M-1' }, { id: 'M-2' }, { id: 'M-3' }]))).statusCode, 200);
  const aggYaml = `discom: ${tenant}\nparticipants:\n  - id: AGG-1\n    role: AGGREGATOR\n    name: aggregator one\n    keys:\n      - ${JSON.stringify(agg.publicJwk)}\n  - id: AGG-2\n    role: AGGREGATOR\n    name: aggregator two\n    keys:\n      - ${JSON.stringify(rival.publicJwk)}\n  - id: DR-DESK\n    role: DISCOM\n    name: the DISCOM's DR desk\n    keys:\n      - ${JSON.stringify(desk.publicJwk)}\nenrolments:\n  - { aggregator: AGG-1, programme: PEAK, meters: [M-1, M-2] }\n`;
  const res = await h.applyRegistry(aggYaml);
  assert.equal(res.statusCode, 200, res.body);
  await migrateDrTables(h.config);
  // History: M-1 has 40 days at 200 Wh per block; M-2 only 3 days (too few like days).
  const tomorrowIst = Math.floor((Date.now() + IST_MS) / DAY_MS) * DAY_MS + DAY_MS - IST_MS;
  eventStart = tomorrowIst + 18 * 3_600_000; // 18:00 IST tomorrow
  const rows: Json[] = [];
  for (let d = 1; d <= 40; d++) {
    for (let b = 0; b < 96; b++) {
      const t = (tomorrowIst - d * DAY_MS + b * 900_000) / 1000;
      rows.push({ discom_id: tenant, meter_id: 'M-1', block_start: t, channel: 'IMPORT', wh: 200, validation_status: 'VALID', source: 'HES', batch_id: 'hist', index_in_batch: rows.length, head_end_id: 'HES-1', received_at_ms: 1 });
      if (d <= 3) rows.push({ discom_id: tenant, meter_id: 'M-2', block_start: t, channel: 'IMPORT', wh: 50, validation_status: 'VALID', source: 'HES', batch_id: 'hist', index_in_batch: rows.length, head_end_id: 'HES-1', received_at_ms: 1 });
    }
  }
  // The aggregator responds: M-1 uses 150 Wh in each of the event's four blocks (baseline 200).
  for (let b = 0; b < 4; b++) rows.push({ discom_id: tenant, meter_id: 'M-1', block_start: (eventStart + b * 900_000) / 1000, channel: 'IMPORT', wh: 150, validation_status: 'VALID', source: 'HES', batch_id: 'event-day', index_in_batch: b, head_end_id: 'HES-1', received_at_ms: 2 });
  await ch.insert({ table: 'reads', values: rows, format: 'JSONEachRow' });
  store = new DrEventStore(redis, h.deps.producer, h.serde);
  const dr = h.kafkaAs('dr');
  worker = await startBaselineWorker({ kafka: dr, serde: h.serde, ch, redis, store, policies: loadPolicyRegistry(), calendar: indiaHolidayCalendar(), tenants: [tenant], logger: createLogger({ name: 'it', level: 'silent' }, nullStream()), groupId: `ies-baseline-${tenant}` });
  admin = dr.admin();
  await admin.connect();
  feed = await startAggregatorFeed({ kafka: dr, admin, serde: h.serde, tenants: [tenant], replicationFactor: h.config.kafka.replicationFactor, transactionalId: `${h.config.nodeId}-aggregator-feed-${tenant}`, logger: createLogger({ name: 'it', level: 'silent' }, nullStream()), groupId: `ies-aggregator-feed-${tenant}` });
});
after(async () => {
  await feed.consumer.disconnect();
  await feed.producer.disconnect();
  await admin.disconnect();
  await worker.consumer.disconnect();
  await worker.producer.disconnect();
  await h.close();
  await ch.close();
  redis.disconnect();
});

async function signedPost(url: string, body: unknown, key: KeyPair) {
  const bytes = Buffer.from(JSON.stringify(body));
  const signature = await signDetached(bytes, key, { iat: Math.floor(Date.now() / 1000), jti: randomUUID(), htm: 'POST', htu: url, tenant: h.registry.key(key.kid)?.discomId ?? '' });
  return h.app.inject({ method: 'POST', url, headers: { 'content-type': 'application/json', 'x-ies-signature': signature }, payload: bytes });
}

async function get(url: string, id = 'AGG-1', key = agg) {
  const token = await new SignJWT({}).setProtectedHeader({ alg: key.alg, kid: key.kid }).setIssuer(id).setAudience(h.config.nodeId).setIssuedAt().setExpirationTime('2m').sign(key.privateKey);
  return h.app.inject({ method: 'GET', url, headers: { authorization: `Bearer ${token}` } });
}

function eventRequest(eventId: string, meters: string[]) {
  return {
    eventId, programmeId: 'PEAK', aggregatorId: 'AGG-1', window: { start: eventStart, end: eventStart + 3_600_000 },
    intervals: Array.from({ length: 4 }, () => ({ requestedWh: 100, offeredWh: 80, pricePaisePerKwh: 500, shortfallPenaltyPaisePerKwh: 200 })),
    participatingMeters: meters, methodology: 'deg-5of10@1',
  };
}

test('an enrolled aggregator creates an event (DRAFT), activates it, and gets baselines; every transition is on dr-events.v1', async () => {
  const created = await signedPost('/v1/dr/events', eventRequest('EV-1', ['M-1', 'M-2']), agg);
  assert.equal(created.statusCode, 201, created.body);
  assert.equal((created.json() as Json).state, 'DRAFT');
  const replay = await signedPost('/v1/dr/events', eventRequest('EV-1', ['M-1', 'M-2']), agg);
  assert.equal(replay.statusCode, 200, 'the same event again is answered, not duplicated');
  // An earlier event of M-1 that went ahead: its day must not serve as a like day for EV-1.
  // Its window is past: the aggregator may not lodge it after the fact; the DISCOM enters it as a late entry.
  const earlier = { ...eventRequest('EV-0', ['M-1']), window: { start: eventStart - 2 * DAY_MS, end: eventStart - 2 * DAY_MS + 3_600_000 } };
  const afterTheFact = await signedPost('/v1/dr/events', earlier, agg);
  assert.equal(afterTheFact.statusCode, 422, afterTheFact.body);
  assert.equal((afterTheFact.json() as Json).code, 'IES_ERR_DR_EVENT_LATE');
  const late = await signedPost('/v1/dr/events', earlier, desk);
  assert.equal(late.statusCode, 201, late.body);
  assert.match((late.json() as Json).history[0].reason, /^late entry: the window started/);
  assert.equal((await signedPost('/v1/dr/events/EV-0/transitions', { to: 'ACTIVE' }, agg)).statusCode, 422, 'the aggregator cannot activate a past window either');
  assert.equal((await signedPost('/v1/dr/events/EV-0/transitions', { to: 'ACTIVE' }, desk)).statusCode, 200);
  const earlierDay = new Date(eventStart - 2 * DAY_MS + IST_MS).toISOString().slice(0, 10);
  const active = await signedPost('/v1/dr/events/EV-1/transitions', { to: 'ACTIVE' }, agg);
  assert.equal(active.statusCode, 200, active.body);
  const baselined = await eventually(async () => {
    const r = await get('/v1/dr/events/EV-1');
    return (r.json() as Json).state === 'BASELINED' ? (r.json() as Json) : undefined;
  }, 60_000, 'the event baselined');
  assert.deepEqual(baselined.history.map((x: Json) => [x.state, x.version]), [['DRAFT', 1], ['ACTIVE', 2], ['BASELINED', 3]]);
  const res = await get('/v1/dr/events/EV-1/baselines');
  assert.equal(res.statusCode, 200, res.body);
  const rows = (res.json() as Json).baselines as Json[];
  assert.equal(rows.length, 8);
  for (const r of rows.filter((x) => x.meterId === 'M-1')) {
    assert.deepEqual([r.status, r.baselineWh], ['OK', 200]);
    assert.ok(!r.selectedDays.includes(earlierDay), `${earlierDay} (EV-0) must not be a like day`);
  }
  for (const r of rows.filter((x) => x.meterId === 'M-2')) assert.deepEqual([r.status, r.baselineWh], ['INSUFFICIENT_HISTORY', null]);

  // Performance once the window has closed (clock moved past it): delivered 50 Wh per block
  // from M-1 (M-2 has no baseline, so it is unverified, never a silent zero); offered 80.
  // payment = Σ min(50, 80) × 500 paise/kWh = 4 × 25 = 100 paise; penalty = Σ (80 − 50) × 200 = 4 × 6 = 24 paise.
  const sweep = new PerformanceSweep({ ch, redis, store, producer: worker.producer, serde: h.serde, logger: createLogger({ name: 'it', level: 'silent' }, nullStream()), graceMs: 0, now: () => eventStart + 2 * 3_600_000 });
  assert.equal(await sweep.sweep(tenant), 2, 'EV-0 and EV-1 are both closed and baselined');
  assert.equal(await sweep.sweep(tenant), 0, 'unchanged figures are not published again');
  const perf = (await get('/v1/dr/events/EV-1/performance')).json() as Json;
  assert.equal(perf.state, 'MEASURED');
  assert.deepEqual(perf.totals, { deliveredWh: 200, offeredWh: 320, eligibleWh: 200, shortfallWh: 120, paymentPaise: 100, penaltyPaise: 24, netPaise: 76 });
  assert.deepEqual(perf.meters.find((m: Json) => m.meterId === 'M-2').status, ['NO_BASELINE', 'NO_BASELINE', 'NO_BASELINE', 'NO_BASELINE']);

  const consumer = h.kafka.consumer({ groupId: `${tenant}-it-dr` });
  await consumer.connect();
  await consumer.subscribe({ topic: topicName(tenant, TOPICS.drEvents), fromBeginning: true });
  const seen: Json[] = [];
  await consumer.run({ eachMessage: async ({ message }) => { seen.push(await h.serde.decode(message.value as Buffer)); } });
  await eventually(async () => (seen.length >= 4 ? true : undefined), 20_000, 'four transitions');
  await consumer.disconnect();
  assert.deepEqual(seen.filter((s) => s.eventId === 'EV-1').map((s) => `${s.version}:${s.state}`), ['1:DRAFT', '2:ACTIVE', '3:BASELINED', '4:MEASURED']);
});

test('meters not enrolled with the aggregator, another aggregator and bad transitions are refused with codes', async () => {
  const stranger = await signedPost('/v1/dr/events', eventRequest('EV-2', ['M-1', 'M-3']), agg);
  assert.equal(stranger.statusCode, 422);
  assert.equal((stranger.json() as Json).code, 'IES_ERR_DR_EVENT_INVALID');
  assert.match((stranger.json() as Json).detail, /M-3/);
  // A window bound that is a safe integer but no date (found by the schemathesis campaign: it was a 500).
  const undated = await signedPost('/v1/dr/events', { ...eventRequest('EV-2b', ['M-1']), window: { start: -8_782_598_223_112_379, end: eventStart } }, agg);
  assert.equal(undated.statusCode, 422, undated.body);
  assert.equal((undated.json() as Json).code, 'IES_ERR_DR_EVENT_INVALID');
  const rivalTry = await signedPost('/v1/dr/events', eventRequest('EV-3', ['M-1']), rival);
  assert.equal(rivalTry.statusCode, 403);
  assert.equal((await signedPost('/v1/dr/events', eventRequest('EV-4', ['M-1']), agg)).statusCode, 201);
  const skip = await signedPost('/v1/dr/events/EV-4/transitions', { to: 'SETTLED' }, agg);
  assert.equal(skip.statusCode, 400);
  // A body that is JSON but not an object (found by the schemathesis campaign: it was a 500).
  for (const notAnObject of [null, ['ACTIVE'], 'ACTIVE', 7]) {
    const res = await signedPost('/v1/dr/events/EV-4/transitions', notAnObject, agg);
    assert.equal(res.statusCode, 400, `${JSON.stringify(notAnObject)}: ${res.body}`);
    assert.equal((res.json() as Json).code, 'IES_ERR_VALIDATION');
  }
  assert.equal((await signedPost('/v1/dr/events/EV-4/transitions', { to: 'CANCELLED', reason: 'grid relieved' }, agg)).statusCode, 200);
  const again = await signedPost('/v1/dr/events/EV-4/transitions', { to: 'ACTIVE' }, agg);
  assert.equal(again.statusCode, 409);
  assert.equal((again.json() as Json).code, 'IES_ERR_DR_TRANSITION_INVALID');
  assert.equal((await get('/v1/dr/events/EV-4', 'AGG-2', rival)).statusCode, 404, 'another aggregator does not see the event');
});

test('a signed DR write is bound to its method, path and tenant, and its jti is recorded: no replay has a second effect', async () => {
  assert.equal((await signedPost('/v1/dr/events', eventRequest('EV-5', ['M-1']), agg)).statusCode, 201);
  assert.equal((await signedPost('/v1/dr/events', eventRequest('EV-6', ['M-1']), agg)).statusCode, 201);
  // One signed CANCELLED, captured and sent again to another event: refused, EV-6 untouched.
  const bytes = Buffer.from(JSON.stringify({ to: 'CANCELLED' }));
  const jti = randomUUID();
  const cancel5 = await signDetached(bytes, agg, { iat: Math.floor(Date.now() / 1000), jti, htm: 'POST', htu: '/v1/dr/events/EV-5/transitions', tenant });
  const send = (url: string, signature: string, body = bytes) => h.app.inject({ method: 'POST', url, headers: { 'content-type': 'application/json', 'x-ies-signature': signature }, payload: body });
  assert.equal((await send('/v1/dr/events/EV-5/transitions', cancel5)).statusCode, 200);
  const redirected = await send('/v1/dr/events/EV-6/transitions', cancel5);
  assert.equal(redirected.statusCode, 401, redirected.body);
  assert.equal((redirected.json() as Json).code, 'IES_ERR_SIGNATURE_UNBOUND');
  assert.equal(((await get('/v1/dr/events/EV-6')).json() as Json).state, 'DRAFT');
  // The same signed request again: the first answer, marked as a replay, and no new version.
  const again = await send('/v1/dr/events/EV-5/transitions', cancel5);
  assert.equal(again.statusCode, 200);
  assert.equal(again.headers['idempotent-replayed'], 'true');
  assert.equal(((await get('/v1/dr/events/EV-5')).json() as Json).version, 2);
  // A creation replayed thrice: 201 every time with the same body, one event.
  const create = Buffer.from(JSON.stringify(eventRequest('EV-7', ['M-1'])));
  const createSig = await signDetached(create, agg, { iat: Math.floor(Date.now() / 1000), jti: randomUUID(), htm: 'POST', htu: '/v1/dr/events', tenant });
  const answers = [];
  for (let i = 0; i < 3; i++) answers.push(await send('/v1/dr/events', createSig, create));
  assert.deepEqual(answers.map((a) => a.statusCode), [201, 201, 201]);
  assert.deepEqual(answers.map((a) => a.headers['idempotent-replayed']), [undefined, 'true', 'true']);
  assert.equal(new Set(answers.map((a) => a.body)).size, 1);
  // The jti of a write reused for another body: 409. A signature without the binding: 401.
  const reused = await signDetached(bytes, agg, { iat: Math.floor(Date.now() / 1000), jti, htm: 'POST', htu: '/v1/dr/events/EV-6/transitions', tenant });
  const conflict = await send('/v1/dr/events/EV-6/transitions', reused);
  assert.equal(conflict.statusCode, 409, conflict.body);
  assert.equal((conflict.json() as Json).code, 'IES_ERR_REPLAY_CONFLICT');
  const [protectedB64, , sig] = (await signDetached(bytes, agg, { iat: Math.floor(Date.now() / 1000), jti: randomUUID(), htm: 'POST', htu: '/v1/dr/events/EV-6/transitions', tenant })).split('.');
  const { htm: _m, htu: _u, tenant: _t, ...bare } = JSON.parse(Buffer.from(protectedB64 as string, 'base64url').toString()) as Json;
  const unboundSig = `${Buffer.from(JSON.stringify(bare)).toString('base64url')}..${sig}`;
  assert.equal((await send('/v1/dr/events/EV-6/transitions', unboundSig)).statusCode, 401);
  // A write with no body at all is a clear refusal, not a server error.
  const empty = await h.app.inject({ method: 'POST', url: '/v1/dr/events', headers: { 'x-ies-signature': cancel5 } });
  assert.ok(empty.statusCode < 500, empty.body);
});

test("each aggregator's feed topics hold exactly the records about its events", async () => {
  const read = async (topic: string, expected: number) => {
    const consumer = h.kafka.consumer({ groupId: `agg.AGG-1.it-${randomUUID()}` });
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: true });
    const seen: Json[] = [];
    await consumer.run({ eachMessage: async ({ message }) => { seen.push(await h.serde.decode(message.value as Buffer)); } });
    await eventually(async () => (seen.length >= expected ? true : undefined), 30_000, `${expected} records on ${topic}`);
    await new Promise((r) => setTimeout(r, 500)); // nothing more arrives
    await consumer.disconnect();
    return seen;
  };
  const events = (await read(aggregatorTopicName(tenant, 'AGG-1', TOPICS.drEvents), 14)).filter((e) => !['EV-0', 'EV-5', 'EV-6', 'EV-7'].includes(e.eventId));
  // Order holds per event (one partition per key); across events it may interleave.
  assert.deepEqual(events.map((e) => `${e.eventId}:${e.version}:${e.state}`).sort(), ['EV-1:1:DRAFT', 'EV-1:2:ACTIVE', 'EV-1:3:BASELINED', 'EV-1:4:MEASURED', 'EV-4:1:DRAFT', 'EV-4:2:CANCELLED']);
  assert.equal(events.length, 6);
  assert.ok(events.every((e) => e.aggregatorId === 'AGG-1'));
  assert.equal((await read(aggregatorTopicName(tenant, 'AGG-1', TOPICS.baselines), 3)).filter((b) => b.eventId === 'EV-1').length, 2);
  assert.equal((await read(aggregatorTopicName(tenant, 'AGG-1', TOPICS.drPerformance), 2)).filter((p) => p.eventId === 'EV-1').length, 1);
  assert.ok(!(await admin.listTopics()).includes(aggregatorTopicName(tenant, 'AGG-2', TOPICS.drEvents)), 'AGG-2 has no events, so no feed');
});

test('an aggregator registers its webhook through the gateway; plain http to a remote host is refused', async () => {
  const token = await new SignJWT({}).setProtectedHeader({ alg: agg.alg, kid: agg.kid }).setIssuer('AGG-1').setAudience(h.config.nodeId).setIssuedAt().setExpirationTime('2m').sign(agg.privateKey);
  const put = await h.app.inject({ method: 'PUT', url: '/v1/dr/webhook', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, payload: { url: 'https://agg.example/ies/dr' } });
  assert.ok([200, 201].includes(put.statusCode), put.body);
  const got = await get('/v1/dr/webhook');
  assert.equal((got.json() as Json).url, 'https://agg.example/ies/dr');
  const plain = await h.app.inject({ method: 'PUT', url: '/v1/dr/webhook', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, payload: { url: 'http://agg.example/ies/dr' } });
  assert.equal(plain.statusCode, 400, plain.body);
});

test('a DR event body naming a member twice is refused (400 IES_ERR_DUPLICATE_KEY), not created with the last value', async () => {
  const text = JSON.stringify(eventRequest('EV-DUP-Y', ['M-1'])).replace('{"eventId":"EV-DUP-Y"', '{"eventId":"EV-DUP-X","eventId":"EV-DUP-Y"');
  const bytes = Buffer.from(text);
  const signature = await signDetached(bytes, agg, { iat: Math.floor(Date.now() / 1000), jti: randomUUID(), htm: 'POST', htu: '/v1/dr/events', tenant });
  const res = await h.app.inject({ method: 'POST', url: '/v1/dr/events', headers: { 'content-type': 'application/json', 'x-ies-signature': signature }, payload: bytes });
  assert.equal(res.statusCode, 400, res.body);
  assert.equal((res.json() as Json).code, 'IES_ERR_DUPLICATE_KEY');
  assert.equal((res.json() as Json).member, 'eventId');
  for (const id of ['EV-DUP-X', 'EV-DUP-Y']) assert.equal((await get(`/v1/dr/events/${id}`)).statusCode, 404, id);
});
