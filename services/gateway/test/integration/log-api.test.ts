import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { SignJWT } from 'jose';
import { generateSigningKey, type KeyPair } from '@ies/crypto';
import { startLoaderService } from '@ies/loader';
import { startNotaryService } from '@ies/notary';
import { checkpointSizeOf, trustFromVerifierKeys, verifyCheckpointConsistency, verifyReadProof, verifyReceipt, verifyTlogProof, type TrustAnchors } from '@ies/verify';
import { createLogger } from '@ies/observability';
import { eventually, nullStream } from '@ies/testing';
import { CSV_HEADER, istBlocks, registryYaml, startHarness, type Json } from './harness.js';

let h: Awaited<ReturnType<typeof startHarness>>;
let tenant: string;
let other: string;
let headEnd: KeyPair;
let auditor: KeyPair;
let otherAuditor: KeyPair;
let notary: Awaited<ReturnType<typeof startNotaryService>>;
let loader: Awaited<ReturnType<typeof startLoaderService>>;
const blocks = istBlocks(4);

function auditorYaml(discom: string, id: string, key: KeyPair): string {
  return `discom: ${discom}\nparticipants:\n  - id: ${id}\n    role: DISCOM\n    name: settlement desk\n    keys:\n      - ${JSON.stringify(key.publicJwk)}\n`;
}

before(async () => {
  h = await startHarness(2);
  [tenant, other] = h.tenants as [string, string];
  headEnd = await generateSigningKey('EdDSA');
  auditor = await generateSigningKey('EdDSA');
  otherAuditor = await generateSigningKey('ES256');
  assert.equal((await h.applyRegistry(registryYaml(tenant, { id: 'HES-1', keys: [headEnd] }, [{ id: 'M-1' }, { id: 'M-2' }]))).statusCode, 200);
  assert.equal((await h.applyRegistry(auditorYaml(tenant, 'DESK-1', auditor))).statusCode, 200);
  assert.equal((await h.applyRegistry(auditorYaml(other, 'DESK-9', otherAuditor))).statusCode, 200);
  const env = { ...process.env, IES_TENANTS: h.tenants.join(','), IES_NOTARY_KEYS_DIR: mkdtempSync(path.join(tmpdir(), 'ies-notary-')), IES_OPERATOR_JWKS_FILE: h.config.auth.operatorJwksFile, IES_LOG_LEVEL: 'warn' };
  notary = await startNotaryService(env, { onFatal: (err) => assert.fail(err), logger: createLogger({ name: 'it', level: 'silent' }, nullStream()) });
  loader = await startLoaderService(env);
});
after(async () => {
  await loader.stop();
  await notary.stop();
  await h.close();
});

async function get(url: string, who: { id: string; key: KeyPair } = { id: 'DESK-1', key: auditor }) {
  const token = await new SignJWT({}).setProtectedHeader({ alg: who.key.alg, kid: who.key.kid }).setIssuer(who.id).setAudience(h.config.nodeId).setIssuedAt().setExpirationTime('2m').sign(who.key.privateKey);
  return h.app.inject({ method: 'GET', url, headers: { authorization: `Bearer ${token}` } });
}

async function submitRows(rows: string[]): Promise<string> {
  const { res, json } = await h.submit(`${CSV_HEADER}\n${rows.join('\n')}\n`, headEnd);
  assert.equal(res.statusCode, 202, res.body);
  return json().batchId as string;
}

async function trust(): Promise<TrustAnchors> {
  const res = await get('/v1/log/key');
  assert.equal(res.statusCode, 200, res.body);
  assert.match(res.headers['content-type'] as string, /^text\/plain/);
  return trustFromVerifierKeys(res.body.split('\n').filter(Boolean));
}

test('a receipt is pending (202, Retry-After) until notarised, then verifies with the published key alone', async () => {
  const batchId = await submitRows([`M-1,${blocks[0]},412,0,VALID`, `M-2,${blocks[0]},100,25,VALID`]);
  const first = await get(`/v1/batches/${encodeURIComponent(batchId)}/receipt`);
  assert.ok([200, 202].includes(first.statusCode), first.body);
  if (first.statusCode === 202) assert.equal(first.headers['retry-after'], '1');
  const res = await eventually(async () => {
    const r = await get(`/v1/batches/${encodeURIComponent(batchId)}/receipt`);
    return r.statusCode === 200 ? r : undefined;
  }, 30_000, 'the receipt');
  const doc = res.json() as Json;
  assert.equal(doc.receipt.batchId, batchId);
  assert.equal(doc.receipt.readCount, 4);
  const verified = await verifyReceipt(doc as never, await trust());
  assert.ok(verified.ok, verified.ok ? '' : verified.reason);
});

test('a read proof leads from the canonical read to a signed checkpoint', async () => {
  await submitRows([`M-1,${blocks[1]},377,0,VALID`]);
  const res = await eventually(async () => {
    const r = await get(`/v1/reads/proof?meterId=M-1&blockStart=${encodeURIComponent(blocks[1]!)}&channel=import`);
    return r.statusCode === 200 ? r : undefined;
  }, 60_000, 'the read proof');
  const doc = res.json() as Json;
  assert.equal(doc.read.wh, 377);
  const verified = await verifyReadProof(doc as never, await trust());
  assert.ok(verified.ok, verified.ok ? '' : verified.reason);
  const forged = await verifyReadProof({ ...doc, read: { ...doc.read, wh: 378 } } as never, await trust());
  assert.equal(forged.ok ? 'ok' : forged.code, 'READ_NOT_IN_BATCH');
});

test('a batch and a read as c2sp.org/tlog-proof@v1 files verify with the log key alone; a changed read does not', async () => {
  const batchId = await submitRows([`M-2,${blocks[2]},411,0,VALID`]);
  const batch = await eventually(async () => {
    const r = await get(`/v1/batches/${encodeURIComponent(batchId)}/tlog-proof`);
    return r.statusCode === 200 ? r : undefined;
  }, 60_000, 'the batch tlog proof');
  assert.match(batch.headers['content-type'] as string, /^text\/plain/);
  assert.match(batch.body, /^c2sp\.org\/tlog-proof@v1\nextra [A-Za-z0-9+/=]+\nindex \d+\n/);
  const verified = verifyTlogProof(batch.body, await trust());
  assert.ok(verified.ok, verified.ok ? '' : verified.reason);
  assert.equal(verified.proof.extra.entry.batchId, batchId);
  const read = await eventually(async () => {
    const r = await get(`/v1/reads/tlog-proof?meterId=M-2&blockStart=${encodeURIComponent(blocks[2]!)}&channel=import`);
    return r.statusCode === 200 ? r : undefined;
  }, 60_000, 'the read tlog proof');
  const readVerified = verifyTlogProof(read.body, await trust());
  assert.ok(readVerified.ok, readVerified.ok ? '' : readVerified.reason);
  assert.equal(readVerified.proof.extra.read?.wh, 411);
  const extra = JSON.parse(Buffer.from(/^extra (.*)$/m.exec(read.body)![1]!, 'base64').toString());
  const forged = read.body.replace(/^extra .*$/m, `extra ${Buffer.from(JSON.stringify({ ...extra, read: { ...extra.read, wh: 412 } })).toString('base64')}`);
  const refused = verifyTlogProof(forged, await trust());
  assert.equal(refused.ok ? 'ok' : refused.code, 'READ_NOT_IN_BATCH');
});

test('checkpoints are text/plain signed notes and any two are provably consistent', async () => {
  const before = await get('/v1/log/checkpoint');
  assert.equal(before.statusCode, 200);
  assert.match(before.headers['content-type'] as string, /^text\/plain/);
  const size1 = checkpointSizeOf(before.body);
  await submitRows([`M-2,${blocks[2]},10,0,VALID`]);
  const after = await eventually(async () => {
    const r = await get('/v1/log/checkpoint');
    return checkpointSizeOf(r.body) > size1 ? r : undefined;
  }, 30_000, 'a newer checkpoint');
  const size2 = checkpointSizeOf(after.body);
  const proof = await get(`/v1/log/consistency?first=${size1}&second=${size2}`);
  assert.equal(proof.statusCode, 200, proof.body);
  const result = verifyCheckpointConsistency(before.body, after.body, (proof.json() as Json).proof, await trust());
  assert.ok(result.ok, result.ok ? '' : result.reason);
  const exact = await get(`/v1/log/checkpoint?size=${size1}`);
  assert.equal(exact.body, before.body);
  const bad = await get(`/v1/log/consistency?first=${size2}&second=${size2 + 5}`);
  assert.equal(bad.statusCode, 400);
});

test('tenants are isolated, unknown batches are 404, the JWKS lists the notary key, and reads need a token', async () => {
  const batchId = await submitRows([`M-1,${blocks[3]},1,0,VALID`]);
  await eventually(async () => ((await get(`/v1/batches/${encodeURIComponent(batchId)}/receipt`)).statusCode === 200 ? true : undefined), 30_000, 'receipt');
  const foreign = await get(`/v1/batches/${encodeURIComponent(batchId)}/receipt`, { id: 'DESK-9', key: otherAuditor });
  assert.equal(foreign.statusCode, 404);
  assert.equal((await get('/v1/batches/HES-1:nope/receipt')).statusCode, 404);
  const jwks = await h.app.inject({ method: 'GET', url: `/.well-known/jwks.json?discom=${tenant}` });
  assert.ok((jwks.json() as Json).keys.some((k: Json) => k['ies:role'] === 'NOTARY' && k.crv === 'Ed25519'));
  const anonymous = await h.app.inject({ method: 'GET', url: '/v1/log/checkpoint' });
  assert.equal(anonymous.statusCode, 401);
  // Signed tree heads and verifier keys are public: another hosted tenant's reader may fetch
  // them by name (peer-DISCOM evidence of a statement), the same bytes the tenant itself gets.
  const own = await get('/v1/log/checkpoint');
  const peer = await get(`/v1/log/checkpoint?discom=${tenant}&size=${checkpointSizeOf(own.body)}`, { id: 'DESK-9', key: otherAuditor });
  assert.equal(peer.statusCode, 200, peer.body);
  assert.equal(peer.body, own.body);
  assert.equal((await get(`/v1/log/key?discom=${tenant}`, { id: 'DESK-9', key: otherAuditor })).body, (await get('/v1/log/key')).body);
  assert.equal((await get('/v1/log/checkpoint?discom=NOT-HOSTED')).statusCode, 404);
});

test('access follows the data: head-end its batches, aggregator its enrolled meters, auditor by capability, nobody else', async () => {
  const k = Object.fromEntries(await Promise.all(['HES-2', 'AGG-1', 'AGG-2', 'PLAT-1', 'AUD-1', 'PEER'].map(async (id) => [id, await generateSigningKey('EdDSA')] as const)));
  const who = (id: string, role: string) => `  - id: ${id === 'PEER' ? other : id}\n    role: ${role}\n    name: ${id}\n    keys:\n      - ${JSON.stringify(k[id]!.publicJwk)}\n`;
  const doc = `discom: ${tenant}\nparticipants:\n${who('HES-2', 'HEADEND')}${who('AGG-1', 'AGGREGATOR')}${who('AGG-2', 'AGGREGATOR')}${who('PLAT-1', 'PLATFORM')}${who('AUD-1', 'AUDITOR')}${who('PEER', 'PEER_DISCOM')}enrolments:\n  - { aggregator: AGG-1, programme: PEAK, meters: [M-1] }\n`;
  const applied = await h.applyRegistry(doc);
  assert.equal(applied.statusCode, 200, applied.body);
  const batchId = await submitRows([`M-1,${blocks[3]},77,0,VALID`, `M-2,${blocks[3]},66,0,VALID`]);
  const receiptUrl = `/v1/batches/${encodeURIComponent(batchId)}/receipt`;
  const proofUrl = (meter: string) => `/v1/reads/proof?meterId=${meter}&blockStart=${encodeURIComponent(blocks[3]!)}&channel=import`;
  await eventually(async () => ((await get(proofUrl('M-2'))).statusCode === 200 ? true : undefined), 30_000, 'the proof (DISCOM)');
  const as = (id: string) => ({ id: id === 'PEER' ? other : id, key: k[id]! });
  const status = async (url: string, id: string, headers: Record<string, string> = {}) => {
    const token = await new SignJWT({}).setProtectedHeader({ alg: 'EdDSA', kid: k[id]!.kid }).setIssuer(as(id).id).setAudience(h.config.nodeId).setIssuedAt().setExpirationTime('2m').sign(k[id]!.privateKey);
    const res = await h.app.inject({ method: 'GET', url, headers: { authorization: `Bearer ${token}`, ...headers } });
    if (res.statusCode !== 200) assert.doesNotMatch(res.body, /"wh"/, `${id} got no read in a refusal`);
    return res.statusCode;
  };
  // The head-end that sent the batch reads its receipt and its reads' proofs; another head-end does not.
  assert.equal((await get(receiptUrl, { id: 'HES-1', key: headEnd })).statusCode, 200);
  assert.equal((await get(proofUrl('M-2'), { id: 'HES-1', key: headEnd })).statusCode, 200);
  assert.equal(await status(receiptUrl, 'HES-2'), 404);
  assert.equal(await status(proofUrl('M-1'), 'HES-2'), 404);
  // An aggregator: proofs of its enrolled meter only, no batch receipts.
  assert.equal(await status(proofUrl('M-1'), 'AGG-1'), 200);
  assert.equal(await status(proofUrl('M-2'), 'AGG-1'), 404);
  assert.equal(await status(receiptUrl, 'AGG-1'), 404);
  assert.equal(await status(proofUrl('M-1'), 'AGG-2'), 404);
  // A platform sees allocations of its trades, never reads.
  assert.equal(await status(proofUrl('M-1'), 'PLAT-1'), 404);
  assert.equal(await status(receiptUrl, 'PLAT-1'), 404);
  // An auditor: only with a capability the DISCOM granted (signed by a DISCOM participant's key).
  assert.equal(await status(proofUrl('M-1'), 'AUD-1'), 403);
  const grant = (signer: KeyPair, iss: string, claims: Record<string, unknown> = {}) => new SignJWT({ scope: 'proofs', ...claims }).setProtectedHeader({ alg: signer.alg, kid: signer.kid }).setIssuer(iss).setSubject('AUD-1').setAudience(h.config.nodeId).setIssuedAt().setExpirationTime('7d').sign(signer.privateKey);
  assert.equal(await status(proofUrl('M-2'), 'AUD-1', { 'x-ies-capability': await grant(auditor, 'DESK-1') }), 200);
  assert.equal(await status(receiptUrl, 'AUD-1', { 'x-ies-capability': await grant(auditor, 'DESK-1') }), 200);
  assert.equal(await status(proofUrl('M-2'), 'AUD-1', { 'x-ies-capability': await grant(k['AUD-1']!, 'AUD-1') }), 403, 'an auditor cannot grant itself');
  assert.equal(await status(proofUrl('M-2'), 'AUD-1', { 'x-ies-capability': await grant(auditor, 'DESK-1', { scope: 'statements' }) }), 403, 'scope must name proofs');
  assert.equal(await status(proofUrl('M-2'), 'AUD-1', { 'x-ies-capability': await grant(otherAuditor, 'DESK-9') }), 403, 'another DISCOM cannot grant');
  // A peer DISCOM's keys sign P2P sides and read nothing: not even whoami.
  const peer = await h.app.inject({ method: 'GET', url: '/v1/whoami', headers: { authorization: `Bearer ${await new SignJWT({}).setProtectedHeader({ alg: 'EdDSA', kid: k['PEER']!.kid }).setIssuer(other).setAudience(h.config.nodeId).setIssuedAt().setExpirationTime('2m').sign(k['PEER']!.privateKey)}` } });
  assert.equal(peer.statusCode, 403, peer.body);
  assert.equal(peer.json().code, 'IES_ERR_ROLE_FORBIDDEN');
  for (const url of [proofUrl('M-1'), receiptUrl, `/v1/statements?day=${blocks[3]!.slice(0, 10)}`, '/v1/dr/events/EV-X']) assert.equal(await status(url, 'PEER'), 403, url);
});

test('a batch signed with a 128-character jti can fetch its own receiptUrl (batch id of 134 characters)', async () => {
  const jti = `L-${Date.now()}-`.padEnd(128, 'x');
  const { res, json } = await h.submit(`${CSV_HEADER}\nM-1,${blocks[0]},7,0,VALID\n`, headEnd, { jti });
  assert.equal(res.statusCode, 202, res.body);
  const body = json();
  assert.equal(body.batchId, `HES-1:${jti}`);
  const receipt = await get(body.receiptUrl as string);
  assert.ok([200, 202].includes(receipt.statusCode), receipt.body);
  assert.equal((receipt.json() as Json).batchId ?? (receipt.json() as Json).receipt?.batchId, body.batchId);
});
