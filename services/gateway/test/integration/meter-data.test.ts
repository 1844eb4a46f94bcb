import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { TOPICS, topicName } from '@ies/contracts';
import { generateSigningKey, signDetached, type KeyPair } from '@ies/crypto';
import { startFanout } from '@ies/fanout';
import { eventually, iesMeterDataFixtures, stackConfig } from '@ies/testing';
import { createRedis } from '@ies/redis';
import { batchRootOf } from '@ies/notary/batch-root';
import { METER_BATCH_V1_FINGERPRINT } from '../../src/ingest/compact-batch-record.js';
import { CSV_HEADER, istBlocks, registryYaml, startHarness, type Json } from './harness.js';

let h: Awaited<ReturnType<typeof startHarness>>;
let key: KeyPair;
let tenant: string;
let otherTenant: string;
let otherKey: KeyPair;
let fanout: Awaited<ReturnType<typeof startFanout>>;
const blocks = istBlocks(8);

before(async () => {
  h = await startHarness(2); // back-pressure from the notary is on by default
  [tenant, otherTenant] = h.tenants as [string, string];
  key = await generateSigningKey('EdDSA');
  otherKey = await generateSigningKey('ES256');
  const applied = await h.applyRegistry(registryYaml(tenant, { id: 'HES-1', keys: [key], halfHour: 'SPLIT_EVEN' }, [{ id: 'M-1', load: 4000 }, { id: 'M-2', load: 4000, der: 3000 }, ...fixtureMeters()]));
  assert.equal(applied.statusCode, 200, applied.body);
  assert.equal((await h.applyRegistry(registryYaml(otherTenant, { id: 'HES-9', keys: [otherKey] }, [{ id: 'M-9' }]))).statusCode, 200);
  // The fan-out turns each batch's rejected reads into dead-letter.v1 records.
  fanout = await startFanout(h.kafkaAs('fanout'), h.serde, [tenant], { groupId: `ies-fanout-${tenant}`, transactionalId: `${h.config.nodeId}-fanout-${tenant}` });
});
after(async () => {
  await fanout.consumer.disconnect();
  await fanout.producer.disconnect();
  await h.close();
});

function csv(rows: string[]): string {
  return `${CSV_HEADER}\n${rows.join('\n')}\n`;
}

test('a signed CSV batch is accepted (202) and written to Kafka with the head-end signature', async () => {
  const { res, jti, json } = await submit(csv([`M-1,${blocks[0]},412,0,VALID`, `M-2,${blocks[0]},100,250,ESTIMATED`]));
  assert.equal(res.statusCode, 202, res.body);
  const body = json();
  assert.equal(body.batchId, `HES-1:${jti}`);
  assert.deepEqual(body.counts, { reads: 4, accepted: 4, rejected: 0 });
  assert.equal(body.receiptUrl, `/v1/batches/${encodeURIComponent(body.batchId)}/receipt`);

  const consumer = h.kafka.consumer({ groupId: `${tenant}-it-batches` });
  await consumer.connect();
  await consumer.subscribe({ topic: topicName(tenant, TOPICS.meterBatches), fromBeginning: true });
  const seen: Json[] = [];
  await consumer.run({ eachMessage: async ({ message }) => { seen.push(await h.serde.decode(message.value as Buffer)); } });
  const record = await eventually(async () => seen.find((r) => r.batchId === body.batchId), 30_000, 'the batch on meter-batches.v1');
  await consumer.disconnect();
  assert.equal(record.headEndId, 'HES-1');
  assert.equal(record.format, 'COMPACT_CSV');
  assert.equal(record.reads.length, 4);
  assert.deepEqual({ ...record.reads[1] }, { meterId: 'M-1', blockStart: Date.parse(blocks[0] as string), channel: 'EXPORT', wh: 0, validationStatus: 'VALID', source: 'HES' });
  assert.match(record.signature, /^[\w-]+\.\.[\w-]+$/);
  // The schema the registry holds for the tenant is the one the compact-CSV fast path writes,
  // so this record came from it; its root is the root of its reads.
  assert.equal((await h.serde.writerSchemaOf(tenant, TOPICS.meterBatches)).fingerprint, METER_BATCH_V1_FINGERPRINT);
  assert.equal(record.readCount, 4);
  assert.equal(record.batchRoot, Buffer.from(batchRootOf(tenant, record.reads)).toString('base64'));
});

test('invalid reads are listed with stable codes, carried in the batch and dead-lettered by the fan-out; valid ones are accepted', async () => {
  const future = istBlocks(1, +1)[0];
  const misaligned = (blocks[1] as string).replace(':15:00', ':17:00').replace(':00:00', ':07:00');
  const { res, json } = await submit(csv([
    `M-1,${blocks[2]},300,0,VALID`,
    `M-1,${misaligned},300,0,VALID`,
    `M-1,${future},300,0,VALID`,
    `M-1,${blocks[3]},-5,0,VALID`,
    `M-1,${blocks[2]},301,0,VALID`,
    `NOPE,${blocks[2]},1,0,VALID`,
    `M-9,${blocks[2]},1,0,VALID`,
    `M-1,${blocks[4]},999999,0,VALID`,
  ]));
  assert.equal(res.statusCode, 202, res.body);
  const body = json();
  const codes = new Set(body.rejected.map((r: { code: string }) => r.code));
  for (const code of ['IES_ERR_VEE_BLOCK_MISALIGNED', 'IES_ERR_VEE_FUTURE_BLOCK', 'IES_ERR_VEE_NEGATIVE', 'IES_ERR_VEE_DUPLICATE', 'IES_ERR_VEE_UNKNOWN_METER', 'IES_ERR_VEE_FOREIGN_METER', 'IES_ERR_VEE_IMPLAUSIBLE']) {
    assert.ok(codes.has(code), `${code} missing from ${JSON.stringify(body.rejected, null, 1)}`);
  }
  assert.ok(body.counts.accepted >= 2, 'the good import/export reads of the first row are accepted');

  const consumer = h.kafka.consumer({ groupId: `${tenant}-it-dlq` });
  await consumer.connect();
  await consumer.subscribe({ topic: topicName(tenant, TOPICS.deadLetter), fromBeginning: true });
  const dead: Json[] = [];
  await consumer.run({ eachMessage: async ({ message }) => { dead.push(await h.serde.decode(message.value as Buffer)); } });
  await eventually(async () => (dead.filter((d) => d.context.batchId === body.batchId).length === body.counts.rejected ? true : undefined), 30_000, 'all dead letters');
  await consumer.disconnect();
  const one = dead.find((d) => d.code === 'IES_ERR_VEE_NEGATIVE');
  assert.equal(one?.stage, 'gateway');
  assert.equal(one?.context.meterId, 'M-1');
});

test('signature failures: tampered body, unknown key, alg none, stale iat, no signature', async () => {
  const body = csv([`M-1,${blocks[5]},1,0,VALID`]);
  const jti = `B-sig-${Date.now()}`;
  const sig = await signDetached(Buffer.from(body), key, { iat: Math.floor(Date.now() / 1000), jti, htm: 'POST', htu: '/v1/meter-data', tenant });
  const good = await submit(body, { signature: sig });
  assert.equal(good.res.statusCode, 202);

  const tampered = await submit(body.replace(',1,0,', ',9,0,'), { signature: sig });
  assert.equal(tampered.res.statusCode, 401);
  assert.equal(tampered.json().code, 'IES_ERR_SIGNATURE_INVALID');

  const stranger = await generateSigningKey();
  const unknown = await submit(body, { key: stranger });
  assert.equal(unknown.res.statusCode, 401);
  assert.match(unknown.json().detail, /not a registered, active key/);

  const none = `${Buffer.from(JSON.stringify({ alg: 'none', kid: key.kid, b64: false, crit: ['b64'], iat: 1, jti: 'x' })).toString('base64url')}..`;
  const algNone = await submit(body, { signature: none });
  assert.equal(algNone.res.statusCode, 401);
  assert.match(algNone.json().detail, /"none" is not allowed/);

  const stale = await submit(body, { iat: Math.floor(Date.now() / 1000) - 301 });
  assert.equal(stale.res.statusCode, 401);
  assert.equal(stale.json().code, 'IES_ERR_SIGNATURE_STALE');

  const missing = await h.app.inject({ method: 'POST', url: '/v1/meter-data', headers: { 'content-type': 'text/csv' }, payload: body });
  assert.equal(missing.statusCode, 401);
  assert.equal(missing.json().code, 'IES_ERR_AUTH_MISSING');
});

test('a key of another tenant cannot write for this tenant', async () => {
  const r = await submit(csv([`M-1,${blocks[6]},1,0,VALID`]), { key: otherKey, headers: { 'x-ies-tenant': tenant } });
  assert.equal(r.res.statusCode, 403);
  assert.equal(r.json().code, 'IES_ERR_TENANT_FORBIDDEN');
});

test('a replayed batch id returns the original response; a different body under it is 409', async () => {
  const body = csv([`M-1,${blocks[7]},5,0,VALID`]);
  const first = await submit(body);
  const again = await submit(body, { jti: first.jti });
  assert.equal(again.res.statusCode, 202);
  assert.equal(again.res.headers['idempotent-replayed'], 'true');
  assert.deepEqual(again.json(), first.json());
  const conflict = await submit(body.replace(',5,0,', ',6,0,'), { jti: first.jti });
  assert.equal(conflict.res.statusCode, 409);
  assert.equal(conflict.json().code, 'IES_ERR_REPLAY_CONFLICT');
});

test('an oversize body is refused with 413 before anything is parsed', async () => {
  const rows = Array.from({ length: 30_000 }, (_, i) => `M-1,${blocks[0]},${i},0,VALID`);
  const r = await submit(csv(rows));
  assert.equal(r.res.statusCode, 413);
  assert.equal(r.json().code, 'IES_ERR_PAYLOAD_TOO_LARGE');
});

test('registry documents must be signed by the node operator', async () => {
  const impostor = await generateSigningKey();
  const r = await h.applyRegistry(registryYaml(tenant, { id: 'HES-X', keys: [impostor] }, []), impostor);
  assert.equal(r.statusCode, 401);
  const jwks = (await h.app.inject(`/.well-known/jwks.json?discom=${tenant}`)).json();
  assert.ok(!jwks.keys.some((k: { kid: string }) => k.kid === impostor.kid));

  // A captured operator document cannot be replayed (it could re-activate a revoked key).
  const doc = Buffer.from(registryYaml(tenant, { id: 'HES-R', keys: [await generateSigningKey()] }, []));
  const sig = await signDetached(doc, h.operator, { iat: Math.floor(Date.now() / 1000), jti: `reg-${Date.now()}`, htm: 'POST', htu: '/v1/registry', tenant });
  const post = () => h.app.inject({ method: 'POST', url: '/v1/registry', headers: { 'content-type': 'application/yaml', 'x-ies-signature': sig }, payload: doc });
  assert.equal((await post()).statusCode, 200);
  const replay = await post();
  assert.equal(replay.statusCode, 409);
  assert.equal(replay.json().code, 'IES_ERR_REPLAY_CONFLICT');

  // A kid belongs to one participant: another tenant cannot register the same key.
  const stolen = await h.applyRegistry(registryYaml(otherTenant, { id: 'HES-X9', keys: [key] }, []));
  assert.equal(stolen.statusCode, 400);
  assert.match(stolen.json().detail, /already registered to HES-1/);
});

test('every IES MeterData v0.6 example that carries interval reads is accepted through HTTP', async () => {
  const files = intervalFixtureFiles();
  assert.ok(files.length >= 10, files.join(', '));
  for (const file of files) {
    const r = await submit(readFileSync(new URL(file, FIXTURES)), { contentType: 'application/json' });
    assert.equal(r.res.statusCode, 202, `${file}: ${r.res.body}`);
    assert.equal(r.json().counts.rejected, 0, `${file}: ${JSON.stringify(r.json().rejected)}`);
    assert.ok(r.json().counts.accepted > 0, file);
  }
  for (const [file, code] of [
    ['validation-cases/invalid_profile_type_mismatch.json', 'IES_ERR_METERDATA_PROFILE_TYPE'],
    ['validation-cases/invalid_missing_descriptor.json', 'IES_ERR_METERDATA_DESCRIPTOR_MISSING'],
    ['validation-cases/invalid_missing_descriptor_ref.json', 'IES_ERR_METERDATA_DESCRIPTOR_REF'],
    ['validation-cases/invalid_cumulative_decrease.json', 'IES_ERR_METERDATA_CUMULATIVE_DECREASE'],
    ['validation-cases/invalid_math_consistency.json', 'IES_ERR_METERDATA_DESCRIPTOR_MISSING'], // first of its five breaches (docs/ingest.md, Conformance),
  ] as const) {
    const bad = await submit(readFileSync(new URL(file, FIXTURES)), { contentType: 'application/json' });
    assert.equal(bad.res.statusCode, 422, `${file}: ${bad.res.body}`);
    assert.equal(bad.json().code, code, file);
  }
});

test('the registry\'s meter category applies the IES meter-category rule (rule 8) to IES MeterData batches', async () => {
  const applied = await h.applyRegistry(registryYaml(tenant, { id: 'HES-1', keys: [key], halfHour: 'SPLIT_EVEN' }, [{ id: 'M-CAT-A', load: 4000, category: 'A' }, { id: 'M-CAT-D2', load: 4000, category: 'D2' }]));
  assert.equal(applied.statusCode, 200, applied.body);
  // kWh imp block is listed for D1–D4 in IES codes.json, not for category A (substation/feeder meters).
  const doc = (meter: string) => JSON.stringify([
    { profileType: 'DESCRIPTOR', id: 'D', payloadDescriptorSets: [{ name: 'S', payloadDescriptors: [{ readingType: 'kWh imp block', reportedMode: 'USAGE' }] }] },
    { profileType: 'INTERVAL', meterRefs: [{ scheme: 'METER_SERIAL', value: meter }], payloadDescriptorSetRef: 'S', intervalPeriod: { start: blocks[5], duration: 'PT15M' }, intervals: [{ id: 0, readings: [{ readingType: 'kWh imp block', value: 0.25 }] }] },
  ]);
  const refused = await submit(doc('M-CAT-A'), { contentType: 'application/json' });
  assert.equal(refused.res.statusCode, 422, refused.res.body);
  assert.equal(refused.json().code, 'IES_ERR_METERDATA_METER_CATEGORY');
  assert.match(refused.json().detail, /"M-CAT-A" of category A \(registry\)/);
  const accepted = await submit(doc('M-CAT-D2'), { contentType: 'application/json' });
  assert.equal(accepted.res.statusCode, 202, accepted.res.body);
  assert.deepEqual(accepted.json().counts, { reads: 1, accepted: 1, rejected: 0 });
});

test('an IES MeterData document naming a member twice is refused (400 IES_ERR_DUPLICATE_KEY), not read with the last value', async () => {
  const valid = readFileSync(new URL('validation-cases/valid_interval_profile.json', FIXTURES), 'utf8');
  const twice = valid.replace('"meterRefs": [', '"meterRefs": [ { "value": "M-2", "scheme": "METER_SERIAL" } ], "meterRefs": [');
  assert.notEqual(twice, valid);
  const r = await submit(twice, { contentType: 'application/json' });
  assert.equal(r.res.statusCode, 400, r.res.body);
  assert.equal(r.json().code, 'IES_ERR_DUPLICATE_KEY');
  assert.equal(r.json().path, '$[1]');
});

test('keys rotate and revoke without a restart while batches keep flowing', async () => {
  const next = await generateSigningKey('ES256');
  const statuses: number[] = [];
  let registered = false;
  // Batches flow before, during and after the registration: until it is applied, then 10 more.
  const flow = (async () => {
    for (let i = 0, after = 0; after < 10 && i < 2_000; i += 1) {
      if (registered) after += 1;
      statuses.push((await submit(csv([`M-2,${blocks[i % 8]},${i},0,VALID`]), { key: next })).res.statusCode);
    }
  })();
  assert.equal((await h.applyRegistry(registryYaml(tenant, { id: 'HES-1', keys: [key, next], halfHour: 'SPLIT_EVEN' }, []))).statusCode, 200);
  registered = true;
  await flow;
  assert.ok(statuses.includes(202), `the new key was accepted once registered: ${statuses.join(',')}`);
  assert.ok(statuses.every((s) => s === 202 || s === 401), `only 202 before/after registration and 401 before: ${statuses.join(',')}`);
  assert.equal(statuses.lastIndexOf(401) < statuses.indexOf(202) || !statuses.includes(401), true, 'no refusal after the key was live');

  assert.equal((await h.applyRegistry(registryYaml(tenant, { id: 'HES-1', keys: [{ ...key, status: 'REVOKED' }, next], halfHour: 'SPLIT_EVEN' }, []))).statusCode, 200);
  const old = await submit(csv([`M-2,${blocks[1]},7,0,VALID`]));
  assert.equal(old.res.statusCode, 401);
  assert.equal(old.json().code, 'IES_ERR_KEY_REVOKED');
  assert.equal((await submit(csv([`M-2,${blocks[1]},7,0,VALID`]), { key: next })).res.statusCode, 202);
});

/** Meter ids used by the IES fixtures the gateway test submits (registered for this tenant). */
const FIXTURES = iesMeterDataFixtures();

/** The example files (and the valid validation case) that carry IntervalProfiles. */
function intervalFixtureFiles(): string[] {
  const examples = readdirSync(new URL('examples/', FIXTURES)).filter((f) => readFileSync(new URL(`examples/${f}`, FIXTURES), 'utf8').includes('"IntervalProfile"'));
  return ['validation-cases/valid_interval_profile.json', ...examples.map((f) => `examples/${f}`)];
}

/** Meter ids used by those fixtures, registered for this tenant (feeder-sized sanctioned load). */
function fixtureMeters(): { id: string; load: number }[] {
  const ids = new Set<string>();
  for (const file of intervalFixtureFiles()) {
    const text = readFileSync(new URL(file, FIXTURES), 'utf8');
    for (const m of text.matchAll(/"meterRefs"\s*:\s*\[\s*\{\s*"value"\s*:\s*"([^"]+)"/g)) ids.add(m[1] as string);
  }
  return [...ids].map((id) => ({ id, load: 100_000_000 }));
}

function submit(body: string | Buffer, opts: Parameters<typeof h.submit>[2] & { key?: KeyPair } = {}) {
  return h.submit(body, opts.key ?? key, opts);
}

test('the OpenAPI document lists the routes and /docs serves a browsable UI', async () => {
  const spec = (await h.app.inject('/openapi.json')).json();
  assert.ok(spec.openapi.startsWith('3.'));
  assert.ok(spec.paths['/v1/meter-data']?.post, Object.keys(spec.paths).join(', '));
  assert.ok(spec.paths['/v1/registry']?.post);
  const metrics = (await h.app.inject('/metrics')).body;
  assert.match(metrics, new RegExp(`ies_ingest_rejected_reads_total\\{discom="${tenant}",code="IES_ERR_VEE_NEGATIVE"[^}]*\\} [1-9]`));
  assert.match(metrics, new RegExp(`ies_ingest_batches_total\\{discom="${tenant}",outcome="accepted"[^}]*\\} [1-9]`));
  const ui = await h.app.inject('/docs/');
  assert.equal(ui.statusCode, 200);
  assert.match(ui.headers['content-type'] as string, /html/);
});

test('while the notary is behind, new batches get 503 with Retry-After and nothing is claimed; the same batch is accepted once it keeps up', async () => {
  const redis = createRedis(stackConfig());
  try {
    const backlogKey = `ies:${tenant}:log:backlog`;
    const backlog = (waitedMs: number | null) => JSON.stringify({ oldestUnreceiptedAcceptedAt: waitedMs === null ? null : Date.now() - waitedMs, checkpointIntervalMs: 1000 });
    await redis.set(backlogKey, backlog(5_000), 'PX', 5_000);
    await new Promise((r) => setTimeout(r, 150)); // the gateway re-reads the backlog every 100 ms
    const own = await generateSigningKey('EdDSA');
    assert.equal((await h.applyRegistry(registryYaml(tenant, { id: 'HES-BP', keys: [own] }, [{ id: 'M-BP' }]))).statusCode, 200);
    const body = csv([`M-BP,${blocks[5]},7,0,VALID`]);
    const jti = `B-backlog-${Date.now()}`;
    const refused = await h.submit(body, own, { jti });
    assert.equal(refused.res.statusCode, 503, refused.res.body);
    assert.equal(refused.res.headers['retry-after'], '1');
    assert.equal(refused.json().code, 'IES_ERR_DEPENDENCY_UNAVAILABLE');
    assert.match(refused.json().detail, /notary of .* is \d+ ms past its checkpoint interval/);
    // A batch still within the checkpoint interval is a notary merely waiting for its next append: admitted.
    await redis.set(backlogKey, backlog(900), 'PX', 5_000);
    await new Promise((r) => setTimeout(r, 150)); // the gateway re-reads the backlog every 100 ms
    const accepted = await h.submit(body, own, { jti });
    assert.equal(accepted.res.statusCode, 202, accepted.res.body);
  } finally {
    redis.disconnect();
  }
});
