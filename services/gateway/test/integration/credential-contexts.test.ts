import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { SignJWT } from 'jose';
import { createClickHouse, sql, type ClickHouseClient } from '@ies/clickhouse';
import { DEG_ENERGY_CREDENTIAL_CONTEXTS, ED25519_2020_CONTEXT, IES_METERDATA_CONTEXT, IES_METERDATA_CREDENTIAL_CONTEXT, loadCredentialContexts, METERDATA_JSON_CONTEXT, signCredential, VC_V2_CONTEXT, type CredentialContexts, type PrivateEd25519Jwk, type ProofKind } from '@ies/credentials';
import { exportPrivateJwk, generateSigningKey, type KeyPair } from '@ies/crypto';
import { startLoaderService } from '@ies/loader';
import { startNotaryService } from '@ies/notary';
import { createLogger } from '@ies/observability';
import { eventually, nullStream } from '@ies/testing';
import { istBlocks, startHarness, type Json } from './harness.js';

/**
 * Operator-supplied JSON-LD contexts (IES_CREDENTIAL_CONTEXTS_DIR, docs/ingest.md section 5)
 * over the real stack: a node given a stand-in for DEG's EnergyCredential v2.0 context (our
 * own text at DEG's URL, `services/credentials/test/fixtures/operator-contexts/`) accepts
 * MeterDataCredentials that list it second, as IES does, and its notary and loader re-verify
 * them with the same directory. A node given the variant that redefines protected VC 2.0 terms
 * accepts them under eddsa-jcs-2022 and refuses Ed25519Signature2020 with
 * IES_ERR_CREDENTIAL_CONTEXT_INVALID. (Without the directory: credentials.test.ts, "unknown context".)
 */
const ROOT = fileURLToPath(new URL('../../../../../', import.meta.url));
const FIXTURES = path.join(ROOT, 'services/credentials/test/fixtures/operator-contexts');
const PLAIN_DIR = path.join(FIXTURES, 'deg-stand-in');
const REDEFINING_DIR = path.join(FIXTURES, 'deg-stand-in-protected-redefinition');
const DEG = DEG_ENERGY_CREDENTIAL_CONTEXTS[0] as string;
const DID = 'did:web:hes-deg.discom.example';
const blocks = istBlocks(6);

interface Node {
  h: Awaited<ReturnType<typeof startHarness>>;
  tenant: string;
  headEnd: KeyPair;
  notary: Awaited<ReturnType<typeof startNotaryService>>;
  loader: Awaited<ReturnType<typeof startLoaderService>>;
  watcher: Awaited<ReturnType<Awaited<ReturnType<typeof startHarness>>['watchBatches']>>;
}

/** A gateway, notary and loader for one fresh tenant, all started with `contextsDir` as an operator would. */
async function startNode(contextsDir: string): Promise<Node> {
  const h = await startHarness(1, { IES_CREDENTIAL_CONTEXTS_DIR: contextsDir });
  const tenant = h.tenants[0] as string;
  const headEnd = await generateSigningKey();
  const yaml = [
    `discom: ${tenant}`,
    'participants:',
    '  - id: HES-DEG',
    '    role: HEADEND',
    `    did: ${DID}`,
    `    keys: [${JSON.stringify(headEnd.publicJwk)}]`,
    'meters:',
    '  - { id: DEG-M-1, scheme: METER_SERIAL, headEnd: HES-DEG, sanctionedLoadW: 10000 }',
    '',
  ].join('\n');
  const applied = await h.applyRegistry(yaml);
  assert.equal(applied.statusCode, 200, applied.body);
  const env = { ...process.env, IES_TENANTS: tenant, IES_NOTARY_KEYS_DIR: mkdtempSync(path.join(tmpdir(), 'ies-notary-')), IES_OPERATOR_JWKS_FILE: h.config.auth.operatorJwksFile, IES_CREDENTIAL_CONTEXTS_DIR: contextsDir, IES_LOG_LEVEL: 'warn' };
  const notary = await startNotaryService(env, { onFatal: (err) => assert.fail(err), logger: createLogger({ name: 'it', level: 'silent' }, nullStream()) });
  // Its own consumer group: loaders of other tenants on the shared stack must not share its partitions.
  const loader = await startLoaderService(env, { groupId: `ies-loader-${tenant}-${randomUUID()}` });
  const watcher = await h.watchBatches(tenant, 'deg-watch');
  return { h, tenant, headEnd, notary, loader, watcher };
}

let plain: Node;
let redefining: Node;
let clickhouse: ClickHouseClient;

before(async () => {
  plain = await startNode(PLAIN_DIR);
  redefining = await startNode(REDEFINING_DIR);
  clickhouse = createClickHouse(plain.h.config);
});
after(async () => {
  for (const n of [plain, redefining]) {
    await n.watcher.stop();
    await n.loader.stop();
    await n.notary.stop();
    await n.h.close();
  }
  await clickhouse.close();
});

/**
 * A MeterDataCredential naming the DEG context second, signed by the head-end with the
 * contexts in `signerDir` (what the head-end's own JSON-LD processor holds at DEG's URL).
 */
async function degCredential(node: Node, kind: ProofKind, block: string, kwh: string, signerDir = PLAIN_DIR): Promise<{ id: string; body: Buffer }> {
  const id = `urn:uuid:${randomUUID()}`;
  const unsigned = {
    '@context': kind === 'Ed25519Signature2020' ? [VC_V2_CONTEXT, DEG, ED25519_2020_CONTEXT, METERDATA_JSON_CONTEXT] : [VC_V2_CONTEXT, DEG, IES_METERDATA_CREDENTIAL_CONTEXT],
    id,
    type: ['VerifiableCredential', 'EnergyCredential', 'MeterDataCredential'],
    issuer: { id: DID, name: 'DEG-shaped head-end' },
    validFrom: new Date(Date.now() - 3_600_000).toISOString(),
    validUntil: new Date(Date.now() + 86_400_000).toISOString(),
    credentialSubject: {
      id: 'did:web:discom.example:consumers:DEG-1',
      meterData: [
        { '@context': IES_METERDATA_CONTEXT, '@type': 'PayloadDescriptorProfile', profileType: 'DESCRIPTOR', id: 'D-1', payloadDescriptorSets: [{ name: 'S', payloadDescriptors: [{ readingType: 'kWh imp block', name: 'Active energy import - block incremental (kWh)', unit: 'kWh', flowDirection: 'IMPORT', reportedMode: 'USAGE', obis: '1.0.1.29.0.255' }], compactSequences: [{ name: 'Q', sequenceItems: [{ readingType: 'kWh imp block' }] }] }] },
        { '@context': IES_METERDATA_CONTEXT, '@type': 'IntervalProfile', profileType: 'INTERVAL', meterRefs: [{ scheme: 'METER_SERIAL', value: 'DEG-M-1' }], payloadDescriptorSetRef: 'S', compactSequenceRef: 'Q', intervalPeriod: { start: block, duration: 'PT15M' }, intervals: [{ id: 0, payloads: [Number(kwh)] }] },
      ],
    },
  };
  const jwk = { ...(await exportPrivateJwk(node.headEnd)), kid: node.headEnd.kid } as unknown as PrivateEd25519Jwk;
  const signerContexts: CredentialContexts = loadCredentialContexts(signerDir);
  const signed = await signCredential(unsigned, jwk, DID, kind, undefined, signerContexts);
  return { id, body: Buffer.from(JSON.stringify(signed)) };
}

function post(node: Node, body: Buffer) {
  return node.h.app.inject({ method: 'POST', url: '/v1/meter-data', headers: { 'content-type': 'application/vc' }, payload: body });
}

async function receipt(node: Node, batchId: string): Promise<Json> {
  return eventually(async () => {
    const token = await new SignJWT({}).setProtectedHeader({ alg: node.headEnd.alg, kid: node.headEnd.kid }).setIssuer('HES-DEG').setAudience(node.h.config.nodeId).setIssuedAt().setExpirationTime('2m').sign(node.headEnd.privateKey);
    const r = await node.h.app.inject({ method: 'GET', url: `/v1/batches/${encodeURIComponent(batchId)}/receipt`, headers: { authorization: `Bearer ${token}` } });
    return r.statusCode === 200 ? (r.json() as Json) : undefined;
  }, 30_000, `the receipt of ${batchId}`);
}

async function storedWh(tenant: string, batchId: string): Promise<number | undefined> {
  const rows = await (await clickhouse.query({ query: sql`SELECT toString(wh) AS wh FROM reads FINAL WHERE discom_id = ${tenant} AND batch_id = ${batchId}`, format: 'JSONEachRow' })).json<{ wh: string }>();
  return rows.length === 1 ? Number(rows[0]?.wh) : undefined;
}

/** 202, on meter-batches.v1 with its read, notarised (the notary re-verified it) and stored (the loader did). */
async function assertIngested(node: Node, c: { id: string; body: Buffer }, wh: number, what: string): Promise<void> {
  const res = await post(node, c.body);
  assert.equal(res.statusCode, 202, `${what}: ${res.body}`);
  const body = res.json() as Json;
  assert.equal(body.batchId, `HES-DEG:${c.id}`);
  assert.deepEqual(body.counts, { reads: 1, accepted: 1, rejected: 0 }, what);
  const record = await eventually(async () => node.watcher.seen.batches.find((b) => b.batchId === body.batchId), 30_000, `${what} on meter-batches.v1`);
  assert.equal(record.format, 'IES_METERDATA_VC');
  assert.equal(record.reads[0].wh, wh);
  const notarised = await receipt(node, body.batchId);
  assert.equal(notarised.receipt.readCount, 1, what);
  assert.equal(await eventually(() => storedWh(node.tenant, body.batchId), 30_000, `${what} in ClickHouse`), wh, what);
}

test('with the operator\'s DEG context, credentials listing it second are accepted, notarised and stored under both proof kinds', async () => {
  await assertIngested(plain, await degCredential(plain, 'eddsa-jcs-2022', blocks[0] as string, '0.251'), 251, 'eddsa-jcs-2022');
  await assertIngested(plain, await degCredential(plain, 'Ed25519Signature2020', blocks[1] as string, '0.252'), 252, 'Ed25519Signature2020');
  // Nothing on the way refused either (a notary or loader without the directory would dead-letter them).
  assert.deepEqual(plain.watcher.seen.dead.filter((d) => /CREDENTIAL/.test(String(d.code))), []);
});

test('a DEG context that redefines protected VC 2.0 terms: eddsa-jcs-2022 is accepted and stored, Ed25519Signature2020 is refused as a context the node cannot process', async () => {
  // The head-end signs with JCS, which reads no context: the redefinition does not matter.
  await assertIngested(redefining, await degCredential(redefining, 'eddsa-jcs-2022', blocks[2] as string, '0.253', REDEFINING_DIR), 253, 'eddsa-jcs-2022 over the redefining context');
  // No JSON-LD processor canonicalises it, so such an Ed25519Signature2020 proof can only have
  // been made over another text at DEG's URL: the node, holding the operator's, refuses it.
  const ed = await degCredential(redefining, 'Ed25519Signature2020', blocks[3] as string, '0.254', PLAIN_DIR);
  const res = await post(redefining, ed.body);
  assert.equal(res.statusCode, 400, res.body);
  const problem = res.json() as Json;
  assert.equal(problem.code, 'IES_ERR_CREDENTIAL_CONTEXT_INVALID');
  assert.equal(problem.jsonLdCode, 'protected term redefinition');
  assert.match(problem.detail, /eddsa-jcs-2022/);
  await new Promise((r) => setTimeout(r, 1_000));
  assert.equal(redefining.watcher.seen.batches.some((b) => b.batchId === `HES-DEG:${ed.id}`), false, 'nothing of the refused credential is written');
});
