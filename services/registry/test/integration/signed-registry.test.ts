import { strict as assert } from 'node:assert';
import { writeFileSync } from 'node:fs';
import { after, before, test } from 'node:test';
import { TOPICS, topicName } from '@ies/contracts';
import { generateSigningKey, signDetached } from '@ies/crypto';
import { ACKS_ALL, AvroSerde, createIdempotentProducer, createKafka, provisionTenant } from '@ies/kafka';
import { createLogger } from '@ies/observability';
import { eventually, nullStream, stackConfig, uniqueTenant } from '@ies/testing';
import { documentRecord, materialiseRegistry, RegistryState, type RegistryRefusal, type RegistryView } from '../../src/index.js';
import { readDeadLetters, signedFleet, type SignedFleet } from '../../src/testing/signed-fleet.js';

const tenant = uniqueTenant('RG');
// The test provisions and plays both the gateway and an intruder holding a valid Kafka principal.
const config = stackConfig({ IES_TENANTS: tenant }, 'admin');
const kafka = createKafka(config, createLogger({ name: 'it', level: 'silent' }, nullStream()));
const serde = new AvroSerde({ registryUrl: config.registry.url });
const producer = createIdempotentProducer(kafka);
const registryTopic = topicName(tenant, TOPICS.registry);
const views: RegistryView[] = [];
let fleet: SignedFleet;

before(async () => {
  const admin = kafka.admin();
  await admin.connect();
  await provisionTenant(admin, tenant, { replicationFactor: config.kafka.replicationFactor, nodeId: config.nodeId });
  await admin.disconnect();
  await producer.connect();
  fleet = await signedFleet({ producer, serde, tenant });
});

after(async () => {
  for (const v of views) await v.stop();
  await producer.disconnect();
});

/** Produces a registry.v1 record with a plain client, as anyone holding a Kafka principal could. */
async function produceRaw(key: string, value: unknown): Promise<void> {
  await producer.send({ topic: registryTopic, acks: ACKS_ALL, messages: [{ key, value: await serde.encode(tenant, TOPICS.registry, value) }] });
}

async function startView(name: string, deadLetters: boolean) {
  const state = new RegistryState();
  const refused: RegistryRefusal[] = [];
  const view = await materialiseRegistry(kafka, serde, state, [tenant], `it-${name}-${Date.now()}`, { operatorJwksFile: fleet.operatorJwksFile, ...(deadLetters ? { deadLetters: producer } : {}), onRefused: (r) => refused.push(r) });
  views.push(view);
  await view.ready;
  return { state, refused, view };
}

test('forged registry records produced with a valid Kafka principal are never applied, and are dead-lettered', async () => {
  await fleet.register(['M-1']);
  const intruder = await generateSigningKey();
  const at = Date.now();
  // (1) The probe: an unsigned PARTICIPANT and KEY pair granting an intruder a head-end's rights.
  await produceRaw('PARTICIPANT:EVIL', { kind: 'PARTICIPANT', id: 'EVIL', discomId: tenant, updatedAt: at, participant: { role: 'HEADEND', name: 'evil', halfHourProfiles: 'REJECT' }, key: null, meter: null, enrolment: null });
  await produceRaw(`KEY:${intruder.kid}`, { kind: 'KEY', id: intruder.kid, discomId: tenant, updatedAt: at, participant: null, meter: null, enrolment: null, key: { participantId: 'EVIL', jwk: JSON.stringify(intruder.publicJwk), status: 'ACTIVE' } });
  const evilDoc = Buffer.from(JSON.stringify({ discom: tenant, participants: [{ id: 'EVIL', role: 'HEADEND', keys: [intruder.publicJwk] }] }));
  // (2) The same grant as a DOCUMENT without a signature, (3) signed by the intruder's own key.
  await produceRaw('DOCUMENT:unsigned', documentRecord(tenant, { body: evilDoc, signature: '' }, Math.floor(at / 1000)));
  await produceRaw('DOCUMENT:wrong-key', documentRecord(tenant, { body: evilDoc, signature: await signDetached(evilDoc, intruder, { iat: Math.floor(at / 1000), jti: 'x', htm: 'POST', htu: '/v1/registry', tenant }) }, Math.floor(at / 1000)));

  const { state, refused, view } = await startView('forged', true);
  assert.ok(state.participant(tenant, fleet.headEndId), 'the operator-signed document is applied');
  assert.ok(state.key(fleet.headEnd.kid));
  assert.ok(state.meter(tenant, 'M-1'));
  assert.equal(state.participant(tenant, 'EVIL'), undefined, 'the forged participant is not applied');
  assert.equal(state.key(intruder.kid), undefined, 'the forged key is not applied');
  assert.deepEqual(refused.map((r) => [r.key, r.code]), [
    ['PARTICIPANT:EVIL', 'IES_ERR_REGISTRY_UNSIGNED'],
    [`KEY:${intruder.kid}`, 'IES_ERR_REGISTRY_UNSIGNED'],
    ['DOCUMENT:unsigned', 'IES_ERR_REGISTRY_UNSIGNED'],
    ['DOCUMENT:wrong-key', 'IES_ERR_SIGNATURE_INVALID'],
  ]);
  const letters = await eventually(async () => {
    const all = (await readDeadLetters(kafka, serde, tenant)).filter((d) => d.stage === 'registry');
    return all.length >= 4 ? all : undefined;
  }, 30_000, 'four registry dead letters');
  // dead-letter.v1 has several partitions: compare by source.
  const bySource = <T extends { sourceId: string }>(xs: T[]): T[] => [...xs].sort((a, b) => a.sourceId.localeCompare(b.sourceId));
  assert.deepEqual(bySource(letters).map((d) => [d.sourceId, d.context.key, d.code]), bySource(refused).map((r) => [r.sourceId, r.key, r.code]), 'each refused record is dead-lettered once');

  // Live: a forged record produced while the view runs is refused too; a signed one applies.
  const live = await generateSigningKey();
  await produceRaw(`KEY:${live.kid}`, { kind: 'KEY', id: live.kid, discomId: tenant, updatedAt: Date.now(), participant: null, meter: null, enrolment: null, key: { participantId: fleet.headEndId, jwk: JSON.stringify(live.publicJwk), status: 'ACTIVE' } });
  await fleet.register(['M-1', 'M-2']);
  await view.catchUp(Date.now());
  assert.ok(state.meter(tenant, 'M-2'), 'the signed document is applied live');
  assert.equal(state.key(live.kid), undefined);
  assert.deepEqual(refused.at(-1)?.key, `KEY:${live.kid}`);
});

test('documents signed by an older operator key keep verifying on replay while it stays listed; once marked REVOKED they are refused', async () => {
  const t = await signedFleet({ producer, serde, tenant: uniqueTenant('RG') });
  const admin = kafka.admin();
  await admin.connect();
  await provisionTenant(admin, t.tenant, { replicationFactor: config.kafka.replicationFactor, nodeId: config.nodeId });
  await admin.disconnect();
  await t.register(['OLD-1']);
  // Rotation: a new operator key first, the old one still listed.
  const next = await generateSigningKey();
  writeFileSync(t.operatorJwksFile, JSON.stringify({ keys: [next.publicJwk, t.operator.publicJwk] }));
  await t.publish({ discom: t.tenant, meters: [{ id: 'NEW-1', scheme: 'METER_SERIAL', sanctionedLoadW: 5000 }] }, next);
  const replay = async (name: string) => {
    const state = new RegistryState();
    const refused: RegistryRefusal[] = [];
    const view = await materialiseRegistry(kafka, serde, state, [t.tenant], `it-${name}-${Date.now()}`, { operatorJwksFile: t.operatorJwksFile, onRefused: (r) => refused.push(r) });
    views.push(view);
    await view.ready;
    return { state, refused };
  };
  const rotated = await replay('rotated');
  assert.ok(rotated.state.meter(t.tenant, 'OLD-1'), 'signed by the old, still listed key');
  assert.ok(rotated.state.meter(t.tenant, 'NEW-1'), 'signed by the new key');
  assert.deepEqual(rotated.refused, []);
  // The old key is compromised: marked REVOKED, what it signed is no longer applied.
  writeFileSync(t.operatorJwksFile, JSON.stringify({ keys: [next.publicJwk, { ...t.operator.publicJwk, status: 'REVOKED' }] }));
  const compromised = await replay('compromised');
  assert.equal(compromised.state.meter(t.tenant, 'OLD-1'), undefined);
  assert.ok(compromised.state.meter(t.tenant, 'NEW-1'));
  assert.deepEqual(compromised.refused.map((r) => r.code), ['IES_ERR_SIGNATURE_INVALID']);
});
