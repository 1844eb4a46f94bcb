// The OpenADR 3.1 VTN (docs/openadr.md) on a gateway listening on 127.0.0.1, against the
// real stack: OAuth2 client credentials, what each aggregator sees, every response checked
// against the 3.1 spec's schemas, and a VEN this project did not write (openadr3-client
// from PyPI) that authenticates, lists, reports, subscribes, is called back and reads the
// MQTT notifier binding and its topics (/notifiers).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { SignJWT } from 'jose';
import { createClickHouse } from '@ies/clickhouse';
import { generateSigningKey, signDetached, type KeyPair } from '@ies/crypto';
import { DrEventStore } from '@ies/dr/events';
import { PerformanceSweep, VtnStore, indiaHolidayCalendar, loadPolicyRegistry, openAdrValidator, startBaselineWorker, startOpenAdrNotifier } from '@ies/dr/testing';
import { startWebhookRelay, type WebhookRelay } from '@ies/webhooks';
import { migrateDrTables } from '@ies/dr/migrations';
import { createLogger } from '@ies/observability';
import { eventually, nullStream, stackConfig } from '@ies/testing';
import { registryYaml, startHarness, type Json } from './harness.js';

const run = promisify(execFile);
const DAY_MS = 86_400_000;
const IST_MS = 330 * 60_000;
const spec = openAdrValidator();
const ch = createClickHouse(stackConfig());
const venDir = fileURLToPath(new URL('../../../test/openadr-ven/', import.meta.url));
let h: Awaited<ReturnType<typeof startHarness>>;
let tenant: string;
let base: string;
let worker: Awaited<ReturnType<typeof startBaselineWorker>>;
let keys: Record<'agg1' | 'agg2' | 'desk', KeyPair>;
const secrets: Record<string, string> = {};
let eventStart: number;
let relay: WebhookRelay;
let notifier: Awaited<ReturnType<typeof startOpenAdrNotifier>>;
let callbackServer: Server;
let callbackBase: string;
/** What VENs' callback URLs received: path, Authorization header, body. */
const callbacks: { path: string; authorization: string | undefined; body: Json }[] = [];
const queueName = () => `openadr-it-${tenant}`;

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

async function token(clientId: string, secret: string, scope?: string): Promise<Response> {
  const form = new URLSearchParams({ grant_type: 'client_credentials', client_id: clientId, client_secret: secret, ...(scope ? { scope } : {}) });
  return fetch(`${base}/openadr/3.1/auth/token`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: form });
}

async function bearer(participant: string): Promise<string> {
  const res = await token(`${tenant}/${participant}`, secrets[participant] as string);
  assert.equal(res.status, 200);
  return ((await res.json()) as Json).access_token as string;
}

/** A VTN call whose answer must match the spec: `schema` for the body (an array of it for lists), `problem` for a refusal. */
async function call(method: string, path: string, accessToken: string | null, body?: unknown, schema?: string): Promise<{ status: number; json: Json }> {
  const res = await fetch(`${base}/openadr/3.1${path}`, { method, headers: { ...(accessToken ? { authorization: `Bearer ${accessToken}` } : {}), ...(body === undefined ? {} : { 'content-type': 'application/json' }) }, body: body === undefined ? undefined : JSON.stringify(body) });
  const json = (await res.json()) as Json;
  if (res.status >= 400) assert.equal(spec.check('problem', json), null, `${method} ${path}: ${res.status} is a problem`);
  else if (schema !== undefined) {
    const errors = Array.isArray(json) ? spec.checkList(schema, json) : spec.check(schema, json);
    assert.equal(errors, null, `${method} ${path} matches ${schema}: ${errors}`);
  }
  return { status: res.status, json };
}

before(async () => {
  h = await startHarness(1);
  [tenant] = h.tenants as [string];
  keys = { agg1: await generateSigningKey('EdDSA'), agg2: await generateSigningKey('EdDSA'), desk: await generateSigningKey('EdDSA') };
  const head = await generateSigningKey('EdDSA');
  assert.equal((await h.applyRegistry(registryYaml(tenant, { id: 'HES-1', keys: [head] }, [{ id: 'M-1' }, { id: 'M-2' }, { id: 'M-3' }]))).statusCode, 200);
  const participant = (id: string, role: string, key: KeyPair) => `  - id: ${id}\n    role: ${role}\n    name: ${id} name\n    keys:\n      - ${JSON.stringify(key.publicJwk)}\n`;
  const res = await h.applyRegistry(`discom: ${tenant}\nparticipants:\n${participant('AGG-1', 'AGGREGATOR', keys.agg1)}${participant('AGG-2', 'AGGREGATOR', keys.agg2)}${participant('DR-DESK', 'DISCOM', keys.desk)}enrolments:\n  - { aggregator: AGG-1, programme: PEAK, meters: [M-1, M-2] }\n  - { aggregator: AGG-2, programme: PEAK, meters: [M-3] }\n`);
  assert.equal(res.statusCode, 200, res.body);
  await migrateDrTables(h.config);
  // M-1: 40 days at 200 Wh per block and 150 Wh in the event's blocks (50 Wh delivered each).
  const tomorrowIst = Math.floor((Date.now() + IST_MS) / DAY_MS) * DAY_MS + DAY_MS - IST_MS;
  eventStart = tomorrowIst + 18 * 3_600_000;
  const rows: Json[] = [];
  const read = (meter: string, t: number, wh: number, batch: string) => rows.push({ discom_id: tenant, meter_id: meter, block_start: t / 1000, channel: 'IMPORT', wh, validation_status: 'VALID', source: 'HES', batch_id: batch, index_in_batch: rows.length, head_end_id: 'HES-1', received_at_ms: 1 });
  for (let d = 1; d <= 40; d++) for (let b = 0; b < 96; b++) read('M-1', tomorrowIst - d * DAY_MS + b * 900_000, 200, 'hist');
  for (let b = 0; b < 2; b++) read('M-1', eventStart + b * 900_000, 150, 'event-day');
  await ch.insert({ table: 'reads', values: rows, format: 'JSONEachRow' });
  const store = new DrEventStore(h.redis, h.deps.producer, h.serde);
  const logger = createLogger({ name: 'it', level: 'silent' }, nullStream());
  worker = await startBaselineWorker({ kafka: h.kafkaAs('dr'), serde: h.serde, ch, redis: h.redis, store, policies: loadPolicyRegistry(), calendar: indiaHolidayCalendar(), tenants: [tenant], logger, groupId: `ies-baseline-${tenant}` });
  const event = eventRequest;
  for (const [id, agg, key, meters] of [['EV-1', 'AGG-1', keys.agg1, ['M-1', 'M-2']], ['EV-2', 'AGG-2', keys.agg2, ['M-3']]] as const) {
    assert.equal((await signedPost('/v1/dr/events', event(id, agg, [...meters]), key)).statusCode, 201);
    assert.equal((await signedPost(`/v1/dr/events/${id}/transitions`, { to: 'ACTIVE' }, key)).statusCode, 200);
  }
  assert.equal((await signedPost('/v1/dr/events', event('EV-3', 'AGG-1', ['M-1']), keys.agg1)).statusCode, 201, 'EV-3 stays DRAFT');
  for (const id of ['EV-1', 'EV-2']) await eventually(async () => ((await store.get(tenant, id))?.state === 'BASELINED' ? true : undefined), 60_000, `${id} baselined`);
  const sweep = new PerformanceSweep({ ch, redis: h.redis, store, producer: worker.producer, serde: h.serde, logger, graceMs: 0, now: () => eventStart + 2 * 3_600_000 });
  await sweep.sweep(tenant);
  // The DISCOM issues the client secrets (shown once) of its aggregators and its DR desk.
  for (const p of ['AGG-1', 'AGG-2', 'DR-DESK']) {
    const issued = await signedPost('/v1/dr/openadr-clients', { participantId: p }, keys.desk);
    assert.equal(issued.statusCode, 201, issued.body);
    secrets[p] = (issued.json() as Json).clientSecret as string;
  }
  const address = await h.app.listen({ host: '127.0.0.1', port: 0 });
  base = address;
  // Subscriptions' callbacks: the webhook delivery and the OpenADR notifier as the DR process runs them.
  callbackServer = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      callbacks.push({ path: req.url ?? '', authorization: req.headers.authorization, body: JSON.parse(Buffer.concat(chunks).toString('utf8')) as Json });
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((resolve) => callbackServer.listen(0, '127.0.0.1', resolve));
  callbackBase = `http://127.0.0.1:${(callbackServer.address() as AddressInfo).port}`;
  relay = await startWebhookRelay({ kafka: h.kafkaAs('webhooks'), serde: h.serde, connection: h.redis, tenants: [tenant], signingKey: await generateSigningKey('EdDSA'), groupId: `${h.config.nodeId}-webhooks-${tenant}`, queueName: queueName(), attempts: 4, backoffMs: 200, holdMs: 100, webhookPolicy: { allowLoopbackHttp: true } });
  const vtnStore = new VtnStore(h.redis);
  notifier = await startOpenAdrNotifier({ kafka: h.kafkaAs('webhooks'), serde: h.serde, tenants: [tenant], groupId: `${h.config.nodeId}-webhooks-openadr-${tenant}`, events: store, subscriptions: (t) => vtnStore.owned(t, 'subscription'), notify: (c) => relay.notify(c), log: { error() {}, warn() {}, info() {}, debug() {} }, fromBeginning: true });
});

after(async () => {
  await notifier.disconnect();
  await relay.queue.obliterate({ force: true });
  await relay.stop();
  await new Promise((r) => callbackServer.close(r));
  await worker.consumer.disconnect();
  await worker.producer.disconnect();
  await h.close();
  await ch.close();
});

test('client secrets: only the DISCOM issues them, and a replayed issue request is refused, never shows the secret twice', async () => {
  const byAggregator = await signedPost('/v1/dr/openadr-clients', { participantId: 'AGG-1' }, keys.agg1);
  assert.equal(byAggregator.statusCode, 403);
  const bytes = Buffer.from(JSON.stringify({ participantId: 'AGG-2' }));
  const signature = await signDetached(bytes, keys.desk, { iat: Math.floor(Date.now() / 1000), jti: randomUUID(), htm: 'POST', htu: '/v1/dr/openadr-clients', tenant });
  const send = () => h.app.inject({ method: 'POST', url: '/v1/dr/openadr-clients', headers: { 'content-type': 'application/json', 'x-ies-signature': signature }, payload: bytes });
  const first = await send();
  assert.equal(first.statusCode, 201);
  const again = await send();
  assert.equal(again.statusCode, 409);
  assert.ok(!again.body.includes((first.json() as Json).clientSecret as string));
  secrets['AGG-2'] = (first.json() as Json).clientSecret as string;
  assert.equal((await token(`${tenant}/AGG-2`, 'the old one')).status, 401);
});

test('the token endpoint: client secret (form or Basic) or an RFC 7523 assertion; scopes by role; spec shapes', async () => {
  const server = await call('GET', '/auth/server', null, undefined, 'authServerInfo');
  assert.equal(server.json.tokenURL, `${base}/openadr/3.1/auth/token`);
  const ok = await token(`${tenant}/AGG-1`, secrets['AGG-1'] as string);
  assert.equal(ok.status, 200);
  const granted = (await ok.json()) as Json;
  assert.equal(spec.check('clientCredentialResponse', granted), null);
  assert.deepEqual([granted.token_type, granted.expires_in, granted.scope], ['Bearer', 300, 'read_targets read_ven_objects write_reports write_subscriptions']);
  const wrong = await token(`${tenant}/AGG-1`, `${secrets['AGG-1']}x`);
  assert.equal(wrong.status, 401);
  const refusal = (await wrong.json()) as Json;
  assert.equal(refusal.error, 'invalid_client');
  assert.equal(spec.check('authError', refusal), null);
  assert.equal((await token(`${tenant}/AGG-1`, secrets['AGG-1'] as string, 'read_all')).status, 400, 'a VEN may not hold read_all');
  assert.equal(((await (await token(`${tenant}/DR-DESK`, secrets['DR-DESK'] as string, 'read_all')).json()) as Json).scope, 'read_all');
  const basic = await fetch(`${base}/openadr/3.1/auth/token`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: `Basic ${Buffer.from(`${encodeURIComponent(`${tenant}/AGG-2`)}:${secrets['AGG-2']}`).toString('base64')}` }, body: 'grant_type=client_credentials' });
  assert.equal(basic.status, 200);
  const assertion = await new SignJWT({}).setProtectedHeader({ alg: 'EdDSA', kid: keys.agg1.kid }).setIssuer(`${tenant}/AGG-1`).setSubject(`${tenant}/AGG-1`).setAudience(`${base}/openadr/3.1/auth/token`).setIssuedAt().setExpirationTime('2m').setJti(randomUUID()).sign(keys.agg1.privateKey);
  const form = new URLSearchParams({ grant_type: 'client_credentials', client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer', client_assertion: assertion });
  const byKey = await fetch(`${base}/openadr/3.1/auth/token`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: form });
  assert.equal(byKey.status, 200);
  const forged = await new SignJWT({}).setProtectedHeader({ alg: 'EdDSA', kid: keys.agg1.kid }).setIssuer(`${tenant}/AGG-2`).setSubject(`${tenant}/AGG-2`).setAudience(`${base}/openadr/3.1/auth/token`).setIssuedAt().setExpirationTime('2m').sign(keys.agg1.privateKey);
  form.set('client_assertion', forged);
  assert.equal((await fetch(`${base}/openadr/3.1/auth/token`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: form })).status, 401, 'AGG-1’s key cannot speak for AGG-2');
  assert.equal((await call('GET', '/events', null)).status, 401);
  assert.equal((await call('GET', '/no-such-resource', null)).status, 404, 'an unknown OpenADR path is a spec problem too');
  assert.equal((await call('GET', '/events', `${(granted.access_token as string).slice(0, -4)}AAAA`)).status, 401);
});

test('each aggregator sees only its own programs, events, VENs, resources and reports; the BL sees the tenant; all match the spec', async () => {
  const [a1, a2, bl] = [await bearer('AGG-1'), await bearer('AGG-2'), await bearer('DR-DESK')];
  const events1 = await call('GET', '/events', a1, undefined, 'event');
  assert.deepEqual(events1.json.map((e: Json) => e.eventName), ['EV-1'], 'AGG-1: its dispatched event, not its DRAFT EV-3 nor AGG-2’s');
  assert.deepEqual((await call('GET', '/events', a2, undefined, 'event')).json.map((e: Json) => e.eventName), ['EV-2']);
  assert.deepEqual((await call('GET', '/events', bl, undefined, 'event')).json.map((e: Json) => e.eventName), ['EV-1', 'EV-2', 'EV-3']);
  const ev1 = events1.json[0] as Json;
  assert.deepEqual(ev1.intervals[0].payloads.find((p: Json) => p.type === 'IES_REQUESTED_WH').values, [100]);
  assert.equal((await call('GET', `/events/${ev1.id}`, a1, undefined, 'event')).json.id, ev1.id);
  assert.equal((await call('GET', `/events/${ev1.id}`, a2)).status, 404, 'AGG-2 cannot read AGG-1’s event');
  assert.deepEqual((await call('GET', '/events?targets=AGG-2', a1)).json, [], 'a targets filter does not widen what a VEN sees');
  assert.deepEqual((await call('GET', '/events?skip=1&limit=1', bl, undefined, 'event')).json.map((e: Json) => e.eventName), ['EV-2']);
  assert.equal((await call('GET', '/events?limit=51', bl)).status, 400);

  const programs1 = await call('GET', '/programs', a1, undefined, 'program');
  assert.deepEqual(programs1.json.map((p: Json) => [p.programName, p.targets]), [['PEAK', ['AGG-1']]], 'no other aggregator is named to a VEN');
  assert.deepEqual((await call('GET', '/programs', bl, undefined, 'program')).json.map((p: Json) => p.targets), [['AGG-1', 'AGG-2']]);
  assert.deepEqual((await call('GET', '/vens', a1, undefined, 'ven')).json.map((v: Json) => [v.venName, v.clientID]), [['AGG-1', `${tenant}/AGG-1`]]);
  assert.equal((await call('GET', '/vens', bl, undefined, 'ven')).json.length, 2);
  assert.equal((await call('GET', '/vens/AGG-2', a1)).status, 404);
  assert.deepEqual((await call('GET', '/resources', a1, undefined, 'resource')).json.map((r: Json) => r.resourceName), ['M-1', 'M-2']);
  assert.deepEqual((await call('GET', '/resources?venID=AGG-2', bl, undefined, 'resource')).json.map((r: Json) => r.resourceName), ['M-3']);

  const reports1 = await call('GET', '/reports', a1, undefined, 'report');
  assert.deepEqual(reports1.json.map((r: Json) => r.reportName), ['BASELINE deg-5of10@1', 'PERFORMANCE v1']);
  const perf = reports1.json[1] as Json;
  const m1 = perf.resources.find((r: Json) => r.resourceName === 'M-1');
  assert.deepEqual(m1.intervals[0].payloads, [{ type: 'USAGE', values: [150] }, { type: 'BASELINE', values: [200] }, { type: 'DELTA_USAGE', values: [-50] }]);
  assert.deepEqual(perf.resources.at(-1).intervals.map((i: Json) => i.payloads[0]), [{ type: 'IES_DELIVERED_WH', values: [50] }, { type: 'IES_DELIVERED_WH', values: [50] }]);
  const reports2 = (await call('GET', '/reports', a2, undefined, 'report')).json as Json[];
  const ev2 = (await call('GET', '/events', a2)).json[0] as Json;
  assert.deepEqual(reports2.map((r) => [r.eventID, r.reportName]), [[ev2.id, 'BASELINE deg-5of10@1'], [ev2.id, 'PERFORMANCE v1']], 'AGG-2 sees its own event’s reports only');
  assert.deepEqual(reports2[0]!.resources[0].intervals[0].payloads, [{ type: 'DATA_QUALITY', values: ['MISSING'] }], 'M-3 has no history: no baseline, said so');
  assert.equal((await call('GET', `/reports/${perf.id}`, a2)).status, 404);
});

test('writes: VEN reports are stored as claims and change no measured figure; subscriptions are per client and called back in order through the webhook delivery; programs and events are not written here', async () => {
  const [a1, a2, bl] = [await bearer('AGG-1'), await bearer('AGG-2'), await bearer('DR-DESK')];
  const ev1 = (await call('GET', '/events', a1)).json[0] as Json;
  const before = (await call('GET', '/reports', a1)).json as Json[];
  const claim = { eventID: ev1.id, clientName: 'agg-1-ven', reportName: 'claim', resources: [{ resourceName: 'M-1', intervals: [{ id: 0, payloads: [{ type: 'USAGE', values: [10] }] }] }] };
  const posted = await call('POST', '/reports', a1, claim, 'report');
  assert.equal(posted.status, 201);
  assert.equal(posted.json.clientID, `${tenant}/AGG-1`);
  assert.equal((await call('POST', '/reports', a2, claim)).status, 404, 'AGG-2 cannot report on AGG-1’s event');
  assert.equal((await call('POST', '/reports', a1, { ...claim, resources: [{ resourceName: 'M-3', intervals: [] }] })).status, 400);
  assert.equal((await call('POST', '/reports', bl, claim)).status, 403, 'the BL does not post VEN reports');
  const afterClaim = (await call('GET', '/reports', a1, undefined, 'report')).json as Json[];
  assert.deepEqual(afterClaim.slice(0, before.length), before, 'our baseline and performance reports are unchanged');
  assert.equal(afterClaim.at(-1)?.id, posted.json.id);
  assert.ok(!((await call('GET', '/reports', a2)).json as Json[]).some((r) => r.id === posted.json.id), 'AGG-2 does not see AGG-1’s claim');

  const subscription = { clientName: 'agg-1-ven', programID: ev1.programID, objectOperations: [{ objects: ['EVENT', 'REPORT'], operations: ['CREATE', 'UPDATE'], callbackUrl: `${callbackBase}/agg-1`, bearerToken: 'secret-for-callbacks' }] };
  const created = await call('POST', '/subscriptions', a1, subscription, 'subscription');
  assert.equal(created.status, 201);
  const other = await call('POST', '/subscriptions', a2, { ...subscription, clientName: 'agg-2-ven', programID: undefined, objectOperations: [{ ...subscription.objectOperations[0], callbackUrl: `${callbackBase}/agg-2` }] }, 'subscription');
  assert.equal(other.status, 201);
  // A new event of AGG-1 is dispatched: AGG-1's callback URL is told (CREATE, its bearer token), AGG-2's is not.
  assert.equal((await signedPost('/v1/dr/events', eventRequest('EV-4', 'AGG-1', ['M-2']), keys.agg1)).statusCode, 201);
  assert.equal((await signedPost('/v1/dr/events/EV-4/transitions', { to: 'ACTIVE' }, keys.agg1)).statusCode, 200);
  const told = await eventually(async () => callbacks.find((c) => c.path === '/agg-1' && c.body.object?.eventName === 'EV-4' && c.body.operation === 'CREATE'), 30_000, 'AGG-1 called back about EV-4');
  assert.equal(told.authorization, 'Bearer secret-for-callbacks');
  assert.equal(spec.check('notification', told.body), null, 'the callback body is the spec’s notification');
  assert.equal(told.body.objectType, 'EVENT');
  await eventually(async () => (callbacks.some((c) => c.path === '/agg-1' && c.body.object?.eventName === 'EV-4' && c.body.operation === 'UPDATE') ? true : undefined), 60_000, 'AGG-1 told of EV-4 being baselined (UPDATE)');
  const ev4 = callbacks.filter((c) => c.path === '/agg-1' && c.body.object?.eventName === 'EV-4').map((c) => c.body.operation);
  assert.equal(ev4[0], 'CREATE', `in order per subscription and event: ${ev4.join(', ')}`);
  assert.ok(!callbacks.some((c) => c.path === '/agg-2' && c.body.object?.eventName === 'EV-4'), 'AGG-2 is never told of AGG-1’s event');
  assert.ok(!callbacks.some((c) => c.path === '/agg-1' && c.body.object?.eventName === 'EV-2'), 'nor AGG-1 of AGG-2’s');
  assert.equal((await call('GET', `/subscriptions/${created.json.id}`, a1, undefined, 'subscription')).json.objectOperations[0].bearerToken, 'secret-for-callbacks');
  assert.equal((await call('GET', `/subscriptions/${created.json.id}`, a2)).status, 404);
  const seenByBl = (await call('GET', '/subscriptions', bl, undefined, 'subscription')).json as Json[];
  assert.equal(seenByBl.find((s) => s.id === created.json.id)?.objectOperations[0].bearerToken, null, 'the BL does not see a VEN’s callback token');
  assert.equal((await call('DELETE', `/subscriptions/${created.json.id}`, a2)).status, 404);
  assert.equal((await call('DELETE', `/subscriptions/${created.json.id}`, a1, undefined, 'subscription')).status, 200);
  assert.equal((await call('GET', `/subscriptions/${created.json.id}`, a1)).status, 404);

  assert.equal((await call('POST', '/events', bl, { programID: ev1.programID })).status, 403, 'events come from signed /v1/dr/events writes');
  assert.equal((await call('POST', '/programs', bl, { programName: 'x' })).status, 403);
  assert.equal((await call('PUT', `/events/${ev1.id}`, a1, {})).status, 403);
});

test('a third-party OpenADR 3 VEN (openadr3-client from PyPI) authenticates, lists programs and events, reports, subscribes and receives a callback', async () => {
  const { stdout: python } = await run('bash', [`${venDir}venv.sh`], { timeout: 300_000 });
  // The test's gateway listens on plain HTTP on 127.0.0.1; oauthlib refuses that unless told (a VEN in the field uses https).
  const { stdout } = await run(python.trim(), [`${venDir}ven_driver.py`, `${base}/openadr/3.1`, `${tenant}/AGG-1`, secrets['AGG-1'] as string, `${callbackBase}/ven-driver`], { timeout: 60_000, env: { ...process.env, OAUTHLIB_INSECURE_TRANSPORT: '1' } });
  const saw = JSON.parse(stdout) as Json;
  assert.deepEqual(saw.programs, ['PEAK']);
  assert.deepEqual(saw.events.map((e: Json) => [e.name, e.intervals]), [['EV-1', 2], ['EV-4', 2]]);
  const a1 = await bearer('AGG-1');
  const report = await call('GET', `/reports/${saw.report.id}`, a1, undefined, 'report');
  assert.equal(report.json.eventID, saw.events[0].id);
  assert.deepEqual(report.json.resources[0].intervals[0].payloads, [{ type: 'USAGE', values: [123] }]);
  assert.deepEqual(saw.subscriptions, [saw.subscription.id]);
  // It reads the MQTT notifier binding and its own event topics with the library's 3.1 models.
  assert.equal(saw.notifiers.webhook, true);
  assert.match(saw.notifiers.mqttUris[0], /^mqtt:\/\/127\.0\.0\.1:18830\/?$/);
  assert.equal(saw.notifiers.serialization, 'JSON');
  assert.deepEqual(saw.eventTopics, { CREATE: `OpenADR/3.1.0/${tenant}/ven/AGG-1/events/create`, UPDATE: `OpenADR/3.1.0/${tenant}/ven/AGG-1/events/update`, DELETE: `OpenADR/3.1.0/${tenant}/ven/AGG-1/events/delete`, ALL: `OpenADR/3.1.0/${tenant}/ven/AGG-1/events/+` });
  const stored = await call('GET', `/subscriptions/${saw.subscription.id}`, a1);
  assert.equal(stored.json.clientID, `${tenant}/AGG-1`);
  assert.deepEqual(stored.json.objectOperations[0].operations, ['POST', 'PUT'], 'the client sends 3.0.1 operation names; kept as sent');
  // It receives a callback: AGG-1 dispatches EV-5, the VEN's callback URL gets the notification with its bearer token.
  assert.equal((await signedPost('/v1/dr/events', eventRequest('EV-5', 'AGG-1', ['M-2']), keys.agg1)).statusCode, 201);
  assert.equal((await signedPost('/v1/dr/events/EV-5/transitions', { to: 'ACTIVE' }, keys.agg1)).statusCode, 200);
  const told = await eventually(async () => callbacks.find((c) => c.path === '/ven-driver' && c.body.object?.eventName === 'EV-5'), 30_000, 'the VEN called back about EV-5');
  assert.deepEqual([told.authorization, told.body.operation], ['Bearer ven-callback-token', 'CREATE']);
  assert.equal(spec.check('notification', told.body), null);
});
