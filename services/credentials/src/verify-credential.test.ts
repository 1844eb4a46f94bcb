import { test } from 'node:test';
import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { parseStrictJson } from '@ies/crypto';
import { IesError } from '@ies/errors';
import { ED25519_2020_CONTEXT, IES_METERDATA_CONTEXT, IES_METERDATA_CREDENTIAL_CONTEXT, METERDATA_JSON_CONTEXT, VC_V2_CONTEXT } from './contexts.js';
import { signCredential, type PrivateEd25519Jwk } from './issue.js';
import { checkCredentialStatus, encodeStatusList } from './status-list.js';
import { verifyMeterDataCredential, type ProofKind } from './verify-credential.js';

const DID = 'did:web:hes.example';
const NOW = Date.parse('2026-06-01T00:00:00Z');

function keyPair(kid: string): PrivateEd25519Jwk {
  const jwk = generateKeyPairSync('ed25519').privateKey.export({ format: 'jwk' }) as { x: string; d: string };
  return { kty: 'OKP', crv: 'Ed25519', x: jwk.x, d: jwk.d, kid };
}
const KEY = keyPair('hes-key-1');
const OTHER = keyPair('hes-key-2');

const meterData = [
  { '@context': IES_METERDATA_CONTEXT, '@type': 'IntervalProfile', profileType: 'INTERVAL', intervals: [{ id: 0, payloads: [1.234, 0] }] },
];

function unsigned(overrides: Record<string, unknown> = {}, kind: ProofKind = 'eddsa-jcs-2022'): Record<string, unknown> {
  return {
    '@context': kind === 'Ed25519Signature2020' ? [VC_V2_CONTEXT, ED25519_2020_CONTEXT, METERDATA_JSON_CONTEXT] : [VC_V2_CONTEXT, IES_METERDATA_CREDENTIAL_CONTEXT],
    id: 'urn:uuid:0b5e1d1e-0000-4000-8000-000000000001',
    type: ['VerifiableCredential', 'MeterDataCredential'],
    issuer: { id: DID, name: 'North head-end' },
    validFrom: '2026-05-01T00:00:00Z',
    validUntil: '2027-05-01T00:00:00Z',
    credentialSubject: { id: 'did:web:discom.example:consumers:1', meterData },
    ...overrides,
  };
}

const registered = (did: string, kid: string) => {
  if (did === DID && kid === KEY.kid) return { x: KEY.x };
  throw new IesError('IES_ERR_CREDENTIAL_ISSUER_KEY', `${did}#${kid} is not registered`);
};

async function verify(doc: Record<string, unknown>, nowMs = NOW) {
  return verifyMeterDataCredential(Buffer.from(JSON.stringify(doc)), { nowMs, maxSkewMs: 300_000, issuerKey: registered, parseJson: parseStrictJson });
}

async function refusedWith(p: Promise<unknown>, code: string) {
  await assert.rejects(p, (err: unknown) => err instanceof IesError && err.code === code);
}

for (const kind of ['Ed25519Signature2020', 'eddsa-jcs-2022'] as const) {
  test(`${kind}: a credential signed with the registered key verifies; a changed subject does not`, async () => {
    const signed = await signCredential(unsigned({}, kind), KEY, DID, kind);
    const claims = await verify(signed);
    assert.equal(claims.id, 'urn:uuid:0b5e1d1e-0000-4000-8000-000000000001');
    assert.equal(claims.kid, KEY.kid);
    assert.equal(claims.proofKind, kind);
    assert.deepEqual(claims.meterData, meterData);
    const tampered = structuredClone(signed) as { credentialSubject: { meterData: { intervals: { payloads: number[] }[] }[] } };
    (tampered.credentialSubject.meterData[0]!.intervals[0]!.payloads)[0] = 9.999;
    await refusedWith(verify(tampered as unknown as Record<string, unknown>), 'IES_ERR_CREDENTIAL_PROOF_INVALID');
  });

  test(`${kind}: a proof by another key than the registered one it names is refused`, async () => {
    const forged = await signCredential(unsigned({}, kind), { ...OTHER, kid: KEY.kid }, DID, kind);
    await refusedWith(verify(forged), 'IES_ERR_CREDENTIAL_PROOF_INVALID');
  });
}

test('a key the issuer did not register is refused as the wrong issuer key', async () => {
  await refusedWith(verify(await signCredential(unsigned(), OTHER, DID, 'eddsa-jcs-2022')), 'IES_ERR_CREDENTIAL_ISSUER_KEY');
  await refusedWith(verify(await signCredential(unsigned({ issuer: 'did:web:other.example' }), KEY, 'did:web:other.example', 'eddsa-jcs-2022')), 'IES_ERR_CREDENTIAL_ISSUER_KEY');
});

test('validUntil passed is expired; validFrom ahead beyond the skew is not yet valid', async () => {
  const signed = await signCredential(unsigned(), KEY, DID, 'eddsa-jcs-2022');
  await refusedWith(verify(signed, Date.parse('2027-05-01T00:00:00Z')), 'IES_ERR_CREDENTIAL_EXPIRED');
  await refusedWith(verify(signed, Date.parse('2026-04-30T23:54:59Z')), 'IES_ERR_CREDENTIAL_NOT_YET_VALID');
  await verify(signed, Date.parse('2026-04-30T23:56:00Z')); // within the 5-minute skew
});

test('a context the node does not bundle is refused before anything else, also inside meterData', async () => {
  const deg = await signCredential(unsigned(), KEY, DID, 'eddsa-jcs-2022');
  (deg['@context'] as string[]).splice(1, 0, 'https://schema.nfh.global/EnergyCredential/v2.0/context.jsonld');
  await assert.rejects(verify(deg), (err: unknown) => err instanceof IesError && err.code === 'IES_ERR_CREDENTIAL_CONTEXT_UNKNOWN' && /CC BY-NC-SA/.test(err.message));
  const inner = unsigned({ credentialSubject: { meterData: [{ ...meterData[0], '@context': 'https://example.org/meterdata.jsonld' }] } });
  await refusedWith(verify(await signCredential(inner, KEY, DID, 'eddsa-jcs-2022')), 'IES_ERR_CREDENTIAL_CONTEXT_UNKNOWN');
});

test('what is not a MeterDataCredential with one supported proof is invalid', async () => {
  const signed = await signCredential(unsigned(), KEY, DID, 'eddsa-jcs-2022');
  await refusedWith(verify({ ...signed, type: ['VerifiableCredential'] }), 'IES_ERR_CREDENTIAL_INVALID');
  await refusedWith(verify({ ...signed, id: 'https://x.example/credentials/1' }), 'IES_ERR_CREDENTIAL_INVALID');
  await refusedWith(verify({ ...signed, proof: [signed.proof] }), 'IES_ERR_CREDENTIAL_INVALID');
  await refusedWith(verify({ ...signed, proof: { ...(signed.proof as object), proofPurpose: 'authentication' } }), 'IES_ERR_CREDENTIAL_INVALID');
  await refusedWith(verify({ ...signed, '@context': ['https://www.w3.org/2018/credentials/v1'] }), 'IES_ERR_CREDENTIAL_INVALID');
});

test('the IES MeterDataCredential context cannot be RDF-canonicalised: Ed25519Signature2020 over it fails to sign', async () => {
  // It redefines credentialSubject, a protected VC 2.0 term (docs/ingest.md section 5).
  await assert.rejects(signCredential(unsigned({ '@context': [VC_V2_CONTEXT, ED25519_2020_CONTEXT, IES_METERDATA_CREDENTIAL_CONTEXT] }), KEY, DID, 'Ed25519Signature2020'), /protected term/);
});

test('BitstringStatusList: a set bit is revoked, a clear one passes, a list not held or another type is refused', () => {
  const url = 'https://node.example/status/1';
  const lists = (u: string) => (u === url ? encodeStatusList([7, 94567]) : undefined);
  const entry = (index: string, extra: Record<string, unknown> = {}) => ({ type: 'BitstringStatusListEntry', statusPurpose: 'revocation', statusListIndex: index, statusListCredential: url, ...extra });
  checkCredentialStatus('c', undefined, lists);
  checkCredentialStatus('c', entry('8'), lists);
  assert.throws(() => checkCredentialStatus('c', entry('94567'), lists), (e: unknown) => e instanceof IesError && e.code === 'IES_ERR_CREDENTIAL_REVOKED');
  assert.throws(() => checkCredentialStatus('c', [entry('8'), entry('7')], lists), (e: unknown) => e instanceof IesError && e.code === 'IES_ERR_CREDENTIAL_REVOKED');
  assert.throws(() => checkCredentialStatus('c', entry('1', { statusListCredential: 'https://elsewhere.example/1' }), lists), (e: unknown) => e instanceof IesError && e.code === 'IES_ERR_CREDENTIAL_STATUS_UNKNOWN');
  assert.throws(() => checkCredentialStatus('c', entry('131072'), lists), (e: unknown) => e instanceof IesError && e.code === 'IES_ERR_CREDENTIAL_STATUS_UNKNOWN');
  assert.throws(() => checkCredentialStatus('c', { type: 'dediregistry', statusPurpose: 'revocation' }, lists), (e: unknown) => e instanceof IesError && e.code === 'IES_ERR_CREDENTIAL_STATUS_UNKNOWN');
});
