import { strict as assert } from 'node:assert';
import { test } from 'node:test';
import { generateSigningKey, signDetached, type KeyPair } from '@ies/crypto';
import { IesError } from '@ies/errors';
import { documentRecord, openRegistryRecord, type RegistryRecord } from './signed-document.js';

const T = 'SD-DL';
const IAT = Math.floor(Date.UTC(2026, 10, 1) / 1000);

async function signed(doc: unknown, key: KeyPair, discom = T): Promise<RegistryRecord> {
  const body = Buffer.from(typeof doc === 'string' ? doc : JSON.stringify(doc));
  return documentRecord(discom, { body, signature: await signDetached(body, key, { iat: IAT, jti: 'op-1', htm: 'POST', htu: '/v1/registry', tenant: discom }) }, IAT);
}

const DOC = { discom: T, participants: [{ id: 'HE-1', role: 'HEADEND', keys: [] as object[] }], meters: [{ id: 'M-1', scheme: 'METER_SERIAL', headEnd: 'HE-1', sanctionedLoadW: 5000 }] };

async function keys() {
  const [operator, other, headEnd] = await Promise.all([generateSigningKey(), generateSigningKey(), generateSigningKey()]);
  const resolve = (kid: string) => (kid === operator.kid ? operator.publicJwk : undefined);
  return { operator, other, headEnd, resolve, doc: { ...DOC, participants: [{ ...DOC.participants[0], keys: [headEnd.publicJwk] }] } };
}

test('an operator-signed document yields its entries, versioned by the signature\'s iat', async () => {
  const k = await keys();
  const record = await signed(k.doc, k.operator);
  assert.equal(record.kind, 'DOCUMENT');
  assert.equal(record.updatedAt, IAT * 1000);
  const opened = await openRegistryRecord(record, T, k.resolve);
  assert.ok(opened.ok);
  assert.deepEqual(opened.entries.map((e) => `${e.kind}:${e.id}@${e.updatedAt}`), [`PARTICIPANT:HE-1@${IAT * 1000}`, `KEY:${k.headEnd.kid}@${IAT * 1000}`, `METER:M-1@${IAT * 1000}`]);
  assert.equal(opened.kid, k.operator.kid);
});

test('unsigned per-entity entries and documents without a signature are refused', async () => {
  const k = await keys();
  const participant: RegistryRecord = { kind: 'PARTICIPANT', id: 'EVIL', discomId: T, updatedAt: Date.now(), participant: { role: 'HEADEND', name: 'EVIL', halfHourProfiles: 'REJECT' }, key: null, meter: null };
  assert.deepEqual(await openRegistryRecord(participant, T, k.resolve), { ok: false, code: 'IES_ERR_REGISTRY_UNSIGNED', message: 'registry record PARTICIPANT:EVIL is an unsigned per-entity entry; only operator-signed DOCUMENT records are applied' });
  const unsigned = { ...(await signed(k.doc, k.operator)), document: { body: Buffer.from(JSON.stringify(k.doc)), signature: '' } };
  assert.equal((await openRegistryRecord(unsigned, T, k.resolve) as { code: string }).code, 'IES_ERR_REGISTRY_UNSIGNED');
  assert.equal((await openRegistryRecord({ ...unsigned, document: null }, T, k.resolve) as { code: string }).code, 'IES_ERR_REGISTRY_UNSIGNED');
});

test('a document signed by a key that is not the operator\'s, or altered after signing, is refused', async () => {
  const k = await keys();
  const byOther = await openRegistryRecord(await signed(k.doc, k.other), T, k.resolve);
  assert.equal((byOther as { code: string }).code, 'IES_ERR_SIGNATURE_INVALID');
  const genuine = await signed(k.doc, k.operator);
  const altered = Buffer.from(JSON.stringify({ ...k.doc, meters: [{ ...DOC.meters[0], sanctionedLoadW: 5_000_000 }] }));
  const tampered = documentRecord(T, { body: altered, signature: genuine.document!.signature }, IAT);
  assert.equal((await openRegistryRecord(tampered, T, k.resolve) as { code: string }).code, 'IES_ERR_SIGNATURE_INVALID');
  // The id must be the body's hash (it is the compaction key).
  assert.equal((await openRegistryRecord({ ...genuine, id: 'f'.repeat(64) }, T, k.resolve) as { code: string }).code, 'IES_ERR_DIGEST_MISMATCH');
});

test('a document for another tenant, or one the parser refuses, is refused even when the operator signed it', async () => {
  const k = await keys();
  const foreign = await signed({ ...k.doc, discom: 'OTHER-DL' }, k.operator);
  assert.equal((await openRegistryRecord(foreign, T, k.resolve) as { code: string }).code, 'IES_ERR_TENANT_FORBIDDEN');
  const relabelled = await signed({ ...k.doc, discom: 'OTHER-DL' }, k.operator, T);
  assert.equal((await openRegistryRecord(relabelled, T, k.resolve) as { code: string }).code, 'IES_ERR_TENANT_FORBIDDEN');
  const invalid = await signed({ discom: T, meters: [{ id: 'M-1' }] }, k.operator);
  assert.equal((await openRegistryRecord(invalid, T, k.resolve) as { code: string }).code, 'IES_ERR_REGISTRY_INVALID');
});

test('an unreadable operator JWKS is the node\'s fault: it is thrown, never turned into a refusal of the document', async () => {
  const k = await keys();
  const record = await signed(k.doc, k.operator);
  await assert.rejects(openRegistryRecord(record, T, () => { throw new IesError('IES_ERR_CONFIG_INVALID', 'operator JWKS cannot be read'); }), (err: unknown) => err instanceof IesError && err.code === 'IES_ERR_CONFIG_INVALID');
});
