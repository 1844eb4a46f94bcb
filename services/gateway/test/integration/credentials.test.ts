import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { SignJWT } from 'jose';
import { TOPICS, topicName } from '@ies/contracts';
import { DEG_ENERGY_CREDENTIAL_CONTEXTS, ED25519_2020_CONTEXT, encodeStatusList, loadCredentialContexts, IES_METERDATA_CONTEXT, IES_METERDATA_CREDENTIAL_CONTEXT, METERDATA_JSON_CONTEXT, signCredential, VC_V2_CONTEXT, type PrivateEd25519Jwk, type ProofKind } from '@ies/credentials';
import { exportPrivateJwk, generateSigningKey, type KeyPair } from '@ies/crypto';
import { ACKS_ALL, createIdempotentProducer } from '@ies/kafka';
import { startLoaderService } from '@ies/loader';
import { startNotaryService } from '@ies/notary';
import { createLogger } from '@ies/observability';
import { eventually, nullStream } from '@ies/testing';
import { startSubmissionsConsumer, type SubmissionsIntake } from '../../src/intake/submissions-consumer.js';
import { istBlocks, startHarness, type Json } from './harness.js';

/** A head-end whose processor holds a (stand-in) DEG EnergyCredential context: this node has no IES_CREDENTIAL_CONTEXTS_DIR. */
const DEG_SIGNER = loadCredentialContexts(fileURLToPath(new URL('../../../../../services/credentials/test/fixtures/operator-contexts/deg-stand-in', import.meta.url)));
const DEG = DEG_ENERGY_CREDENTIAL_CONTEXTS[0] as string;

/**
 * MeterDataCredentials over the real stack (docs/ingest.md section 5): one valid credential of
 * each proof kind is ingested and notarised; tampered, wrong-key, expired, not-yet-valid,
 * revoked and unknown-context ones are refused with their codes and nothing of them reaches
 * meter-batches.v1; a repeat is a replay; the Kafka path dead-letters a refusal.
 */
let h: Awaited<ReturnType<typeof startHarness>>;
let tenant: string;
let headEnd: KeyPair;
let otherHeadEnd: KeyPair;
let notary: Awaited<ReturnType<typeof startNotaryService>>;
let loader: Awaited<ReturnType<typeof startLoaderService>>;
let submissions: SubmissionsIntake;
let watcher: Awaited<ReturnType<typeof h.watchBatches>>;
const seen = () => watcher.seen;
const DID = 'did:web:hes-vc.discom.example';
const STATUS_LIST = 'https://node.discom.example/status/HES-VC/1';
const REVOKED_INDEX = 5;
const blocks = istBlocks(8);

before(async () => {
  h = await startHarness(1);
  tenant = h.tenants[0] as string;
  [headEnd, otherHeadEnd] = await Promise.all([generateSigningKey(), generateSigningKey()]);
  const yaml = [
    `discom: ${tenant}`,
    'participants:',
    '  - id: HES-VC',
    '    role: HEADEND',
    `    did: ${DID}`,
    `    keys: [${JSON.stringify(headEnd.publicJwk)}]`,
    `    statusLists: [{ url: "${STATUS_LIST}", encodedList: "${encodeStatusList([REVOKED_INDEX])}" }]`,
    '  - id: HES-OTHER',
    '    role: HEADEND',
    '    did: did:web:other.discom.example',
    `    keys: [${JSON.stringify(otherHeadEnd.publicJwk)}]`,
    'meters:',
    '  - { id: VC-M-1, scheme: METER_SERIAL, headEnd: HES-VC, sanctionedLoadW: 10000 }',
    '',
  ].join('\n');
  const applied = await h.applyRegistry(yaml);
  assert.equal(applied.statusCode, 200, applied.body);
  const env = { ...process.env, IES_TENANTS: tenant, IES_NOTARY_KEYS_DIR: mkdtempSync(path.join(tmpdir(), 'ies-notary-')), IES_OPERATOR_JWKS_FILE: h.config.auth.operatorJwksFile, IES_LOG_LEVEL: 'warn' };
  notary = await startNotaryService(env, { onFatal: (err) => assert.fail(err), logger: createLogger({ name: 'it', level: 'silent' }, nullStream()) });
  loader = await startLoaderService(env);
  submissions = await startSubmissionsConsumer(h.gatewayKafka, h.deps, { info() {}, warn() {} }, `${h.config.nodeId}-gateway-submissions-${randomUUID()}`);
  watcher = await h.watchBatches(tenant, 'vc-watch');
});
after(async () => {
  await submissions.disconnect();
  await watcher.stop();
  await loader.stop();
  await notary.stop();
  await h.close();
});

function meterData(block: string, kwh: string) {
  return [
    { '@context': IES_METERDATA_CONTEXT, '@type': 'PayloadDescriptorProfile', profileType: 'DESCRIPTOR', id: 'D-1', payloadDescriptorSets: [{ name: 'S', payloadDescriptors: [{ readingType: 'kWh imp block', name: 'Active energy import - block incremental (kWh)', unit: 'kWh', flowDirection: 'IMPORT', reportedMode: 'USAGE', obis: '1.0.1.29.0.255' }], compactSequences: [{ name: 'Q', sequenceItems: [{ readingType: 'kWh imp block' }] }] }] },
    { '@context': IES_METERDATA_CONTEXT, '@type': 'IntervalProfile', profileType: 'INTERVAL', meterRefs: [{ scheme: 'METER_SERIAL', value: 'VC-M-1' }], payloadDescriptorSetRef: 'S', compactSequenceRef: 'Q', intervalPeriod: { start: block, duration: 'PT15M' }, intervals: [{ id: 0, payloads: [Number(kwh)] }] },
  ];
}

interface CredentialOptions { kind?: ProofKind; key?: KeyPair; block?: string; kwh?: string; validFrom?: number; validUntil?: number; statusIndex?: number; contexts?: string[]; id?: string; signerContexts?: ReturnType<typeof loadCredentialContexts> }

async function credential(o: CredentialOptions = {}): Promise<{ id: string; body: Buffer; signed: Json }> {
  const kind = o.kind ?? 'eddsa-jcs-2022';
  const id = o.id ?? `urn:uuid:${randomUUID()}`;
  const unsigned = {
    '@context': o.contexts ?? (kind === 'Ed25519Signature2020' ? [VC_V2_CONTEXT, ED25519_2020_CONTEXT, METERDATA_JSON_CONTEXT] : [VC_V2_CONTEXT, IES_METERDATA_CREDENTIAL_CONTEXT]),
    id,
    type: ['VerifiableCredential', 'MeterDataCredential'],
    issuer: { id: DID, name: 'VC head-end' },
    validFrom: new Date(o.validFrom ?? Date.now() - 3_600_000).toISOString(),
    validUntil: new Date(o.validUntil ?? Date.now() + 86_400_000).toISOString(),
    credentialStatus: { id: `${STATUS_LIST}#${o.statusIndex ?? 6}`, type: 'BitstringStatusListEntry', statusPurpose: 'revocation', statusListIndex: String(o.statusIndex ?? 6), statusListCredential: STATUS_LIST },
    credentialSubject: { id: 'did:web:discom.example:consumers:VC-1', meterData: meterData(o.block ?? (blocks[0] as string), o.kwh ?? '0.412') },
  };
  const key = o.key ?? headEnd;
  const jwk = { ...(await exportPrivateJwk(key)), kid: key === otherHeadEnd ? otherHeadEnd.kid : key.kid } as unknown as PrivateEd25519Jwk;
  const signed = await signCredential(unsigned, jwk, DID, kind, undefined, o.signerContexts);
  return { id, body: Buffer.from(JSON.stringify(signed)), signed };
}

function post(body: Buffer, contentType = 'application/vc') {
  return h.app.inject({ method: 'POST', url: '/v1/meter-data', headers: { 'content-type': contentType }, payload: body });
}

async function receipt(batchId: string) {
  const token = await new SignJWT({}).setProtectedHeader({ alg: headEnd.alg, kid: headEnd.kid }).setIssuer('HES-VC').setAudience(h.config.nodeId).setIssuedAt().setExpirationTime('2m').sign(headEnd.privateKey);
  return h.app.inject({ method: 'GET', url: `/v1/batches/${encodeURIComponent(batchId)}/receipt`, headers: { authorization: `Bearer ${token}` } });
}

test('valid credentials of both proof kinds are ingested like any batch, re-verified by the notary and get a receipt', async () => {
  for (const [kind, block, kwh, wh] of [['eddsa-jcs-2022', blocks[0], '0.412', 412], ['Ed25519Signature2020', blocks[1], '0.377', 377]] as const) {
    const c = await credential({ kind, block, kwh });
    const res = await post(c.body, kind === 'Ed25519Signature2020' ? 'application/vc+ld+json' : 'application/vc');
    assert.equal(res.statusCode, 202, res.body);
    const body = res.json() as Json;
    assert.equal(body.batchId, `HES-VC:${c.id}`);
    assert.equal(body.format, 'IES_METERDATA_VC');
    assert.deepEqual(body.counts, { reads: 1, accepted: 1, rejected: 0 });
    const record = await eventually(async () => seen().batches.find((b) => b.batchId === body.batchId), 30_000, 'the batch on meter-batches.v1');
    assert.equal(record.signature, '');
    assert.equal(Buffer.from(record.body).toString(), c.body.toString(), 'the credential is stored as sent');
    assert.equal(record.reads[0].wh, wh);
    const notarised = await eventually(async () => {
      const r = await receipt(body.batchId);
      return r.statusCode === 200 ? (r.json() as Json) : undefined;
    }, 30_000, `the receipt of the ${kind} credential`);
    assert.equal(notarised.receipt.batchId, body.batchId);
    assert.equal(notarised.receipt.readCount, 1);
  }
});

test('the same credential again is a replay; its id with another body is a conflict', async () => {
  const c = await credential({ block: blocks[2] });
  const first = await post(c.body);
  assert.equal(first.statusCode, 202, first.body);
  const again = await post(c.body);
  assert.equal(again.statusCode, 202);
  assert.equal(again.headers['idempotent-replayed'], 'true');
  assert.deepEqual(again.json(), first.json());
  const other = await credential({ id: c.id, block: blocks[2], kwh: '0.5' });
  const conflict = await post(other.body);
  assert.equal(conflict.statusCode, 409, conflict.body);
  assert.equal((conflict.json() as Json).code, 'IES_ERR_REPLAY_CONFLICT');
  await new Promise((r) => setTimeout(r, 1_000));
  assert.equal(seen().batches.filter((b) => b.batchId === `HES-VC:${c.id}`).length, 1, 'one batch for the credential');
});

test('refused credentials answer their code and nothing of them is ingested', async () => {
  const tampered = await credential({ block: blocks[3] });
  (tampered.signed.credentialSubject.meterData[1].intervals[0].payloads as number[])[0] = 1.5;
  const cases: [string, Buffer, number, string][] = [
    ['tampered subject', Buffer.from(JSON.stringify(tampered.signed)), 401, 'IES_ERR_CREDENTIAL_PROOF_INVALID'],
    ['wrong issuer key', (await credential({ key: otherHeadEnd, block: blocks[3] })).body, 401, 'IES_ERR_CREDENTIAL_ISSUER_KEY'],
    ['expired', (await credential({ validFrom: Date.now() - 2 * 86_400_000, validUntil: Date.now() - 86_400_000, block: blocks[3] })).body, 401, 'IES_ERR_CREDENTIAL_EXPIRED'],
    ['not yet valid', (await credential({ validFrom: Date.now() + 86_400_000, validUntil: Date.now() + 2 * 86_400_000, block: blocks[3] })).body, 401, 'IES_ERR_CREDENTIAL_NOT_YET_VALID'],
    ['revoked', (await credential({ statusIndex: REVOKED_INDEX, block: blocks[3] })).body, 403, 'IES_ERR_CREDENTIAL_REVOKED'],
    ['unknown context (DEG, eddsa-jcs-2022)', (await credential({ contexts: [VC_V2_CONTEXT, DEG, IES_METERDATA_CREDENTIAL_CONTEXT], signerContexts: DEG_SIGNER, block: blocks[3] })).body, 400, 'IES_ERR_CREDENTIAL_CONTEXT_UNKNOWN'],
    ['unknown context (DEG, Ed25519Signature2020)', (await credential({ kind: 'Ed25519Signature2020', contexts: [VC_V2_CONTEXT, DEG, ED25519_2020_CONTEXT, METERDATA_JSON_CONTEXT], signerContexts: DEG_SIGNER, block: blocks[3] })).body, 400, 'IES_ERR_CREDENTIAL_CONTEXT_UNKNOWN'],
  ];
  const refusedIds: string[] = [];
  for (const [what, body, status, code] of cases) {
    const res = await post(body);
    assert.equal(res.statusCode, status, `${what}: ${res.body}`);
    assert.equal((res.json() as Json).code, code, what);
    assert.match(res.headers['content-type'] as string, /^application\/problem\+json/);
    refusedIds.push(`HES-VC:${(JSON.parse(body.toString()) as Json).id}`);
  }
  // A valid batch sent after them lands; none of the refused ones is before it on the topic.
  const marker = await credential({ block: blocks[4] });
  assert.equal((await post(marker.body)).statusCode, 202);
  await eventually(async () => seen().batches.find((b) => b.batchId === `HES-VC:${marker.id}`), 30_000, 'the marker batch');
  assert.deepEqual(seen().batches.filter((b) => refusedIds.includes(b.batchId)), []);
  assert.equal(seen().batches.some((b) => b.reads.some((r: Json) => r.blockStart === Date.parse(blocks[3] as string))), false, 'no read of a refused credential');
});

test('on headend-submissions.v1 a credential is accepted, a revoked one dead-lettered with its code', async () => {
  const producer = createIdempotentProducer(h.kafka);
  await producer.connect();
  const send = async (body: Buffer) => {
    const value = await h.serde.encode(tenant, TOPICS.headendSubmissions, { contentType: 'application/vc', signature: '', body, tenant: null });
    await producer.send({ topic: topicName(tenant, TOPICS.headendSubmissions), acks: ACKS_ALL, messages: [{ key: randomUUID(), value }] });
  };
  const good = await credential({ block: blocks[5] });
  const revoked = await credential({ block: blocks[6], statusIndex: REVOKED_INDEX });
  await send(revoked.body);
  await send(good.body);
  await producer.disconnect();
  const batch = await eventually(async () => seen().batches.find((b) => b.batchId === `HES-VC:${good.id}`), 30_000, 'the credential batch from Kafka');
  assert.equal(batch.format, 'IES_METERDATA_VC');
  const dead = await eventually(async () => seen().dead.find((d) => d.stage === 'submissions-consumer' && d.code === 'IES_ERR_CREDENTIAL_REVOKED'), 30_000, 'the dead-lettered credential');
  assert.match(dead.message, new RegExp(revoked.id));
  assert.equal(seen().batches.some((b) => b.batchId === `HES-VC:${revoked.id}`), false);
});
