import { test } from 'node:test';
import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseStrictJson } from '@ies/crypto';
import { IesError } from '@ies/errors';
import { CredentialContexts, DEG_ENERGY_CREDENTIAL_CONTEXTS, ED25519_2020_CONTEXT, IES_METERDATA_CONTEXT, IES_METERDATA_CREDENTIAL_CONTEXT, METERDATA_JSON_CONTEXT, VC_V2_CONTEXT } from './contexts.js';
import { signCredential, type PrivateEd25519Jwk } from './issue.js';
import { loadCredentialContexts } from './operator-contexts.js';
import { verifyMeterDataCredential, type ProofKind } from './verify-credential.js';

const FIXTURES = fileURLToPath(new URL('../../test/fixtures/operator-contexts/', import.meta.url));
const DEG = DEG_ENERGY_CREDENTIAL_CONTEXTS[0] as string;
const DID = 'did:web:hes.example';
const NOW = Date.parse('2026-06-01T00:00:00Z');
const jwk = generateKeyPairSync('ed25519').privateKey.export({ format: 'jwk' }) as { x: string; d: string };
const KEY: PrivateEd25519Jwk = { kty: 'OKP', crv: 'Ed25519', x: jwk.x, d: jwk.d, kid: 'hes-key-1' };

const withDeg = loadCredentialContexts(path.join(FIXTURES, 'deg-stand-in'));
const withRedefiningDeg = loadCredentialContexts(path.join(FIXTURES, 'deg-stand-in-protected-redefinition'));

/** A MeterDataCredential listing the DEG context second, as IES does. */
function unsigned(kind: ProofKind): Record<string, unknown> {
  return {
    '@context': kind === 'Ed25519Signature2020' ? [VC_V2_CONTEXT, DEG, ED25519_2020_CONTEXT, METERDATA_JSON_CONTEXT] : [VC_V2_CONTEXT, DEG, IES_METERDATA_CREDENTIAL_CONTEXT],
    id: 'urn:uuid:0b5e1d1e-0000-4000-8000-0000000000d6',
    type: ['VerifiableCredential', 'EnergyCredential', 'MeterDataCredential'],
    issuer: { id: DID, name: 'North head-end' },
    validFrom: '2026-05-01T00:00:00Z',
    credentialSubject: { id: 'did:web:discom.example:consumers:1', meterData: [{ '@context': IES_METERDATA_CONTEXT, '@type': 'IntervalProfile', profileType: 'INTERVAL', intervals: [{ id: 0, payloads: [1.234, 0] }] }] },
  };
}

function verify(doc: Record<string, unknown>, contexts: CredentialContexts) {
  return verifyMeterDataCredential(Buffer.from(JSON.stringify(doc)), { nowMs: NOW, maxSkewMs: 300_000, parseJson: parseStrictJson, contexts, issuerKey: () => ({ x: KEY.x }) });
}

const hasCode = (code: string, message?: RegExp) => (err: unknown) => err instanceof IesError && err.code === code && (message === undefined || message.test(err.message));

function dir(files: Record<string, string>): string {
  const d = mkdtempSync(path.join(tmpdir(), 'ies-contexts-'));
  for (const [name, text] of Object.entries(files)) writeFileSync(path.join(d, name), text);
  return d;
}

test('no directory is the bundled contexts alone; a directory adds the contexts its index names', () => {
  assert.equal(loadCredentialContexts(undefined), CredentialContexts.BUNDLED);
  assert.equal(CredentialContexts.BUNDLED.has(DEG), false);
  assert.deepEqual(withDeg.operator.map((c) => c.url), [DEG]);
  assert.equal(withDeg.has(DEG), true);
  assert.equal(withDeg.has(VC_V2_CONTEXT), true, 'the bundled ones stay');
  assert.deepEqual(withDeg.urls(), [...CredentialContexts.BUNDLED.urls(), DEG].sort());
});

test('a directory the node cannot use stops the start, every problem named', () => {
  const context = JSON.stringify({ '@context': { x: 'https://example.org/x' } });
  const cases: [string, Record<string, string>, RegExp][] = [
    ['no index', { 'a.jsonld': context }, /cannot read .*index\.json/],
    ['index not JSON', { 'index.json': '{ "https://example.org/c": ' }, /index\.json is not valid JSON/],
    ['index not a map', { 'index.json': '["a.jsonld"]' }, /must be a non-empty JSON object/],
    ['context not JSON', { 'index.json': JSON.stringify({ 'https://example.org/c': 'a.jsonld' }), 'a.jsonld': '{ "@context": { "x": ' }, /a\.jsonld is not valid JSON/],
    ['member twice', { 'index.json': JSON.stringify({ 'https://example.org/c': 'a.jsonld' }), 'a.jsonld': '{ "@context": {}, "@context": {} }' }, /a\.jsonld is not valid JSON: member "@context" appears twice/],
    ['JSON but no context', { 'index.json': JSON.stringify({ 'https://example.org/c': 'a.jsonld' }), 'a.jsonld': '{ "x": 1 }' }, /a\.jsonld \(for https:\/\/example\.org\/c\) is JSON but not a JSON-LD context/],
    ['clash with a bundled URL', { 'index.json': JSON.stringify({ [VC_V2_CONTEXT]: 'a.jsonld' }), 'a.jsonld': context }, /"https:\/\/www\.w3\.org\/ns\/credentials\/v2": the node bundles this context; an operator may not replace it/],
    ['relative URL', { 'index.json': JSON.stringify({ 'context.jsonld': 'a.jsonld' }), 'a.jsonld': context }, /the key must be the absolute URL/],
    ['file outside the directory', { 'index.json': JSON.stringify({ 'https://example.org/c': '../a.jsonld' }) }, /the value must be the name of a file in/],
    ['file missing', { 'index.json': JSON.stringify({ 'https://example.org/c': 'b.jsonld' }) }, /cannot read .*b\.jsonld/],
  ];
  for (const [what, files, message] of cases) {
    assert.throws(() => loadCredentialContexts(dir(files)), hasCode('IES_ERR_CONFIG_INVALID', /^IES_CREDENTIAL_CONTEXTS_DIR=/), what);
    assert.throws(() => loadCredentialContexts(dir(files)), (err: unknown) => err instanceof IesError && message.test(err.message), what);
  }
  // All problems at once, not one per restart.
  const both = dir({ 'index.json': JSON.stringify({ [VC_V2_CONTEXT]: 'a.jsonld', 'https://example.org/c': 'b.jsonld' }), 'a.jsonld': context, 'b.jsonld': 'not json' });
  assert.throws(() => loadCredentialContexts(both), (err: unknown) => err instanceof IesError && /bundles this context/.test(err.message) && /b\.jsonld is not valid JSON/.test(err.message));
  assert.throws(() => loadCredentialContexts(path.join(tmpdir(), 'ies-no-such-dir')), hasCode('IES_ERR_CONFIG_INVALID'));
});

for (const kind of ['eddsa-jcs-2022', 'Ed25519Signature2020'] as const) {
  test(`${kind}: a credential naming the DEG context verifies once the operator supplies it, and is an unknown context without`, async () => {
    const signed = await signCredential(unsigned(kind), KEY, DID, kind, undefined, withDeg);
    const claims = await verify(signed, withDeg);
    assert.equal(claims.proofKind, kind);
    await assert.rejects(verify(signed, CredentialContexts.BUNDLED), hasCode('IES_ERR_CREDENTIAL_CONTEXT_UNKNOWN', /EnergyCredential\/v2\.0.*IES_CREDENTIAL_CONTEXTS_DIR/));
    const tampered = structuredClone(signed) as { credentialSubject: { id: string } };
    tampered.credentialSubject.id = 'did:web:discom.example:consumers:2';
    await assert.rejects(verify(tampered as unknown as Record<string, unknown>, withDeg), hasCode('IES_ERR_CREDENTIAL_PROOF_INVALID'));
  });
}

test('eddsa-jcs-2022 reads no context: a DEG context that redefines protected VC 2.0 terms signs and verifies', async () => {
  const signed = await signCredential(unsigned('eddsa-jcs-2022'), KEY, DID, 'eddsa-jcs-2022', undefined, withRedefiningDeg);
  await verify(signed, withRedefiningDeg);
  // The verdict does not depend on the context's text, only on the node holding its URL.
  await verify(await signCredential(unsigned('eddsa-jcs-2022'), KEY, DID, 'eddsa-jcs-2022', undefined, withDeg), withRedefiningDeg);
});

test('Ed25519Signature2020 over a DEG context that redefines protected VC 2.0 terms: no processor signs it, the node refuses it as a context it cannot process', async () => {
  await assert.rejects(signCredential(unsigned('Ed25519Signature2020'), KEY, DID, 'Ed25519Signature2020', undefined, withRedefiningDeg), /protected term/);
  // Signed by a head-end that held a processable text at that URL; the node holds the redefining one.
  const signed = await signCredential(unsigned('Ed25519Signature2020'), KEY, DID, 'Ed25519Signature2020', undefined, withDeg);
  await assert.rejects(verify(signed, withRedefiningDeg), (err: unknown) => err instanceof IesError && err.code === 'IES_ERR_CREDENTIAL_CONTEXT_INVALID' && err.status === 400 && (err.details as { jsonLdCode?: string }).jsonLdCode === 'protected term redefinition' && /of term "(issuer|credentialStatus)"/.test(err.message));
});

test('Ed25519Signature2020: an operator context that refers to a context the node does not hold is an unknown context, still fetched from nowhere', async () => {
  const referring = loadCredentialContexts(dir({
    'index.json': JSON.stringify({ [DEG]: 'deg.jsonld' }),
    'deg.jsonld': JSON.stringify({ '@context': ['https://example.org/not-held/context.jsonld', { EnergyCredential: 'https://ies-backbone.invalid/stand-in#EnergyCredential' }] }),
  }));
  const signed = await signCredential(unsigned('Ed25519Signature2020'), KEY, DID, 'Ed25519Signature2020', undefined, withDeg);
  await assert.rejects(verify(signed, referring), hasCode('IES_ERR_CREDENTIAL_CONTEXT_UNKNOWN', /https:\/\/example\.org\/not-held\/context\.jsonld/));
});
