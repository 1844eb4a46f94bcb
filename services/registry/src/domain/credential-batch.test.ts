import { strict as assert } from 'node:assert';
import { test } from 'node:test';
import { exportPrivateJwk, generateSigningKey, parseStrictJson, type KeyPair } from '@ies/crypto';
import { IES_METERDATA_CREDENTIAL_CONTEXT, signCredential, VC_V2_CONTEXT, type PrivateEd25519Jwk } from '@ies/credentials';
import { IesError } from '@ies/errors';
import { normaliseBatch } from '@ies/meterdata';
import { credentialSigner } from './credential-issuer.js';
import { parseRegistryDocument } from './model.js';
import { sha256Hex } from './signed-document.js';
import { RegistryState } from './state.js';
import { ingestContextFor, verifyMeterBatch, type MeterBatchRecord } from './verify-batch.js';

const T = 'VC-DL';
const DID = 'did:web:hes-1.vc.example';
const REGISTERED_AT = Date.UTC(2026, 10, 1);
const RECEIVED = Date.UTC(2026, 10, 21, 4, 0);
const CREDENTIAL_ID = 'urn:uuid:5d7d3c52-6c1e-4c8e-9a43-000000000001';

const meterData = [
  { '@type': 'PayloadDescriptorProfile', profileType: 'DESCRIPTOR', id: 'D-1', payloadDescriptorSets: [{ name: 'S', payloadDescriptors: [{ readingType: 'kWh imp block', name: 'Active energy import - block incremental (kWh)', unit: 'kWh', flowDirection: 'IMPORT', reportedMode: 'USAGE', obis: '1.0.1.29.0.255' }], compactSequences: [{ name: 'Q', sequenceItems: [{ readingType: 'kWh imp block' }] }] }] },
  { '@type': 'IntervalProfile', profileType: 'INTERVAL', meterRefs: [{ scheme: 'METER_SERIAL', value: 'M-1' }], payloadDescriptorSetRef: 'S', compactSequenceRef: 'Q', intervalPeriod: { start: '2026-11-21T00:00:00+05:30', duration: 'PT15M' }, intervals: [{ id: 0, payloads: [0.42] }, { id: 1, payloads: [0.3] }] },
];

async function setup(extra: Record<string, unknown>[] = []) {
  const [he1, he2] = await Promise.all([generateSigningKey(), generateSigningKey()]);
  const registry = new RegistryState();
  const doc = {
    discom: T,
    participants: [
      { id: 'HE-1', role: 'HEADEND', did: DID, keys: [he1.publicJwk] },
      { id: 'HE-2', role: 'HEADEND', did: 'did:web:hes-2.vc.example', keys: [he2.publicJwk] },
      ...extra,
    ],
    meters: [{ id: 'M-1', scheme: 'METER_SERIAL', headEnd: 'HE-1', sanctionedLoadW: 5000 }],
  };
  for (const e of parseRegistryDocument(JSON.stringify(doc), REGISTERED_AT)) registry.apply(e);
  return { registry, he1, he2 };
}

async function credentialRecord(registry: RegistryState, key: KeyPair, o: { issuer?: string; id?: string; headEndId?: string } = {}): Promise<MeterBatchRecord> {
  const unsigned = {
    '@context': [VC_V2_CONTEXT, IES_METERDATA_CREDENTIAL_CONTEXT],
    id: o.id ?? CREDENTIAL_ID,
    type: ['VerifiableCredential', 'MeterDataCredential'],
    issuer: { id: o.issuer ?? DID },
    validFrom: '2026-11-01T00:00:00Z',
    validUntil: '2027-11-01T00:00:00Z',
    credentialSubject: { id: 'did:web:vc.example:consumers:1', meterData },
  };
  const jwk = (await exportPrivateJwk(key)) as unknown as PrivateEd25519Jwk;
  const body = Buffer.from(JSON.stringify(await signCredential(unsigned, jwk, o.issuer ?? DID, 'eddsa-jcs-2022', new Date(RECEIVED - 60_000))));
  const headEndId = o.headEndId ?? 'HE-1';
  const { reads, rejected } = normaliseBatch('IES_METERDATA_VC', body, ingestContextFor(registry, T, headEndId, RECEIVED), parseStrictJson);
  return { batchId: `${headEndId}:${o.id ?? CREDENTIAL_ID}`, discomId: T, headEndId, receivedAt: RECEIVED, format: 'IES_METERDATA_VC', bodySha256: sha256Hex(body), signature: '', body, reads, rejected };
}

test('a credential batch re-verifies: proof by the registered key of the issuer DID, batch id <headEndId>:<credential id>, same reads', async () => {
  const { registry, he1 } = await setup();
  const r = await credentialRecord(registry, he1);
  assert.equal(r.reads.length, 2);
  assert.deepEqual(r.reads.map((x) => x.wh), [420, 300]);
  const v = await verifyMeterBatch(r, T, registry);
  assert.deepEqual(v, { ok: true, kid: he1.kid, iat: Math.floor((RECEIVED - 60_000) / 1000) });
});

test('a credential batch whose body, reads, batch id or head-end were changed is refused', async () => {
  const { registry, he1 } = await setup();
  const r = await credentialRecord(registry, he1);
  const body = Buffer.from(r.body.toString().replace('0.42', '0.52'));
  const tampered = await verifyMeterBatch({ ...r, body, bodySha256: sha256Hex(body) }, T, registry);
  assert.equal(tampered.ok || tampered.code, 'IES_ERR_CREDENTIAL_PROOF_INVALID');
  const reads = await verifyMeterBatch({ ...r, reads: r.reads.slice(1) }, T, registry);
  assert.equal(reads.ok || reads.code, 'IES_ERR_BATCH_READS_MISMATCH');
  const id = await verifyMeterBatch({ ...r, batchId: 'HE-1:other' }, T, registry);
  assert.equal(id.ok || id.code, 'IES_ERR_BATCH_SIGNER_MISMATCH');
  const he = await verifyMeterBatch({ ...r, headEndId: 'HE-2', batchId: `HE-2:${CREDENTIAL_ID}` }, T, registry);
  assert.equal(he.ok || he.code, 'IES_ERR_BATCH_SIGNER_MISMATCH');
  const sig = await verifyMeterBatch({ ...r, signature: 'eyJ..x' }, T, registry);
  assert.equal(sig.ok || sig.code, 'IES_ERR_BATCH_SIGNER_MISMATCH');
});

test('the issuer DID maps to the participant that registered it; another participant’s key is the wrong issuer key', async () => {
  const { registry, he1, he2 } = await setup([{ id: 'AGG-1', role: 'AGGREGATOR', did: 'did:web:agg.vc.example', keys: [] }]);
  assert.equal(credentialSigner(registry, DID, he1.kid, { revokedBy: RECEIVED }).participant.id, 'HE-1');
  const refused = (f: () => unknown) => assert.throws(f, (e: unknown) => e instanceof IesError && e.code === 'IES_ERR_CREDENTIAL_ISSUER_KEY');
  refused(() => credentialSigner(registry, DID, he2.kid, { revokedBy: RECEIVED }));
  refused(() => credentialSigner(registry, DID, 'no-such-kid', { revokedBy: RECEIVED }));
  refused(() => credentialSigner(registry, DID, he1.kid, { tenant: 'OTHER-DL', revokedBy: RECEIVED }));
  const r = await credentialRecord(registry, he2, { issuer: DID });
  const v = await verifyMeterBatch(r, T, registry);
  assert.equal(v.ok || v.code, 'IES_ERR_CREDENTIAL_ISSUER_KEY');
});

test('a key revoked after the proof was created still verifies the batch downstream; one revoked before does not', async () => {
  const { registry, he1 } = await setup();
  const r = await credentialRecord(registry, he1);
  const revoke = (at: number) => {
    for (const e of parseRegistryDocument(JSON.stringify({ discom: T, participants: [{ id: 'HE-1', role: 'HEADEND', did: DID, keys: [{ ...he1.publicJwk, status: 'REVOKED' }] }] }), at)) registry.apply(e);
  };
  revoke(RECEIVED);
  assert.equal((await verifyMeterBatch(r, T, registry)).ok, true);
  const early = await setup();
  const r2 = await credentialRecord(early.registry, early.he1);
  for (const e of parseRegistryDocument(JSON.stringify({ discom: T, participants: [{ id: 'HE-1', role: 'HEADEND', did: DID, keys: [{ ...early.he1.publicJwk, status: 'REVOKED' }] }] }), RECEIVED - 120_000)) early.registry.apply(e);
  const v = await verifyMeterBatch(r2, T, early.registry);
  assert.equal(v.ok || v.code, 'IES_ERR_KEY_REVOKED');
});

test('registry documents: did must be did:web; statusLists need a did, https urls and multibase lists', () => {
  const parse = (p: Record<string, unknown>) => parseRegistryDocument(JSON.stringify({ discom: T, participants: [{ id: 'HE-9', role: 'HEADEND', ...p }] }), REGISTERED_AT);
  assert.equal(parse({ did: DID, statusLists: [{ url: 'https://node.example/status/1', encodedList: 'uH4sIAAAAAAAAA' }] })[0]?.participant?.did, DID);
  assert.throws(() => parse({ did: 'did:key:z6Mk' }), /did:web/);
  assert.throws(() => parse({ statusLists: [{ url: 'https://node.example/status/1', encodedList: 'uAA' }] }), /needs the participant's did/);
  assert.throws(() => parse({ did: DID, statusLists: [{ url: 'http://node.example/1', encodedList: 'xAA' }] }), /https URL.*multibase/s);
});
