// The target of the schemathesis campaign (npm run test:security): a gateway wired to the
// real local stack like the integration tests, for a fresh tenant whose registry holds one
// participant of each role, listening on 127.0.0.1; beside it a signer on 127.0.0.1 that
// the Python hooks (security/schemathesis/hooks.py) ask for credentials. Prints one JSON
// file with both URLs (stdout carries the services' logs), then serves until SIGTERM or SIGINT.
//   node services/gateway/dist/test/security/target.js <ready-file>
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { SignJWT } from 'jose';
import type { Kafka } from 'kafkajs';
import { generateSigningKey, signDetached, type KeyPair } from '@ies/crypto';
import { startLoaderService } from '@ies/loader';
import { startNotaryService } from '@ies/notary';
import { createLogger } from '@ies/observability';
import { eventually, nullStream, sharedFixturesUrl, uniqueTenant } from '@ies/testing';
import { CSV_HEADER, istBlocks, startHarness } from '../integration/harness.js';

/** The participants the campaign acts as, by role; OPERATOR signs registry documents. */
export const PARTICIPANTS = {
  DISCOM: 'SEC-DISCOM-DESK',
  HEADEND: 'SEC-HES-1',
  AGGREGATOR: 'SEC-AGG-1',
  PLATFORM: 'SEC-PLAT-1',
  AUDITOR: 'SEC-AUDITOR-1',
} as const;
type Role = keyof typeof PARTICIPANTS | 'PEER_DISCOM' | 'OPERATOR';

const METERS = ['SEC-M-1', 'SEC-M-2', 'SEC-M-3'];
const PROGRAMME = 'SEC-PEAK';
const BUYER_PLATFORM = 'SEC-PLAT-2';

async function main(): Promise<void> {
  const h = await startHarness(1);
  const tenant = h.tenants[0] as string;
  const peer = uniqueTenant('PEER');
  const keys = new Map<Role, { id: string; key: KeyPair }>();
  for (const [role, id] of Object.entries(PARTICIPANTS)) keys.set(role as Role, { id, key: await generateSigningKey('EdDSA') });
  keys.set('PEER_DISCOM', { id: peer, key: await generateSigningKey('EdDSA') });
  keys.set('OPERATOR', { id: 'operator', key: h.operator });

  const jwk = (role: Role) => JSON.stringify(keys.get(role)!.key.publicJwk);
  const participant = (role: Role, extra = '') => `  - id: ${keys.get(role)!.id}\n    role: ${role}\n    name: security campaign ${role.toLowerCase()}\n${extra}    keys:\n      - ${jwk(role)}\n`;
  const registry = [
    `discom: ${tenant}`,
    'participants:',
    participant('DISCOM') + participant('HEADEND') + participant('AGGREGATOR') + participant('PLATFORM') + participant('AUDITOR') + participant('PEER_DISCOM'),
    // The buyer's platform of the seeded trade (the signing platform holds both customers' consent).
    `  - id: ${BUYER_PLATFORM}\n    role: PLATFORM\n    name: security campaign buyer platform\n    keys:\n      - ${JSON.stringify((await generateSigningKey('EdDSA')).publicJwk)}\n`,
    'meters:',
    ...METERS.map((m) => `  - { id: ${m}, scheme: METER_SERIAL, headEnd: ${PARTICIPANTS.HEADEND}, sanctionedLoadW: 10000, derCapacityW: 3000 }`),
    'enrolments:',
    `  - { aggregator: ${PARTICIPANTS.AGGREGATOR}, programme: ${PROGRAMME}, meters: [${METERS.slice(0, 2).join(', ')}] }`,
    'tradingConsents:',
    `  - { platform: ${PARTICIPANTS.PLATFORM}, meters: [${METERS.slice(0, 2).join(', ')}] }`,
    '',
  ].join('\n');
  const applied = await h.applyRegistry(registry);
  if (applied.statusCode !== 200) throw new Error(`registry document refused: ${applied.statusCode} ${applied.body}`);
  // The notary and the loader, so that receipts, read proofs, checkpoints and keys exist.
  const env = { ...process.env, IES_TENANTS: tenant, IES_OPERATOR_JWKS_FILE: h.config.auth.operatorJwksFile, IES_NOTARY_KEYS_DIR: mkdtempSync(path.join(tmpdir(), 'ies-security-notary-')), IES_LOG_LEVEL: 'warn' };
  const notary = await startNotaryService(env, { logger: createLogger({ name: 'security', level: 'silent' }, nullStream()) });
  // Its own consumer group: loaders of other runs on the shared stack must not hold its partitions.
  const loader = await startLoaderService(env, { groupId: `ies-loader-${tenant}` });

  // Something to find: an accepted batch (its receipt and read proofs) and a DR event.
  const blocks = istBlocks(4);
  const csv = [CSV_HEADER, ...blocks.map((b, i) => `${METERS[0]},${b},${100 + i},0,VALID`)].join('\n') + '\n';
  const batch = await h.submit(csv, keys.get('HEADEND')!.key);
  if (batch.res.statusCode !== 202) throw new Error(`seed batch refused: ${batch.res.statusCode} ${batch.res.body}`);
  const batchId = `${PARTICIPANTS.HEADEND}:${batch.jti}`;
  const tomorrow = (Math.floor((Date.now() + 330 * 60_000) / 86_400_000) + 1) * 86_400_000 - 330 * 60_000;
  const eventId = `SEC-EV-${randomUUID().slice(0, 8)}`;
  const event = { eventId, programmeId: PROGRAMME, aggregatorId: PARTICIPANTS.AGGREGATOR, window: { start: tomorrow + 18 * 3_600_000, end: tomorrow + 19 * 3_600_000 }, intervals: Array.from({ length: 4 }, () => ({ requestedWh: 1000, offeredWh: 1000, pricePaisePerKwh: 500, shortfallPenaltyPaisePerKwh: 0 })), participatingMeters: METERS.slice(0, 2), methodology: 'deg-5of10@1' };
  const created = await signedWrite('POST', '/v1/dr/events', Buffer.from(JSON.stringify(event)), 'AGGREGATOR');
  if (created.statusCode !== 201) throw new Error(`seed DR event refused: ${created.statusCode} ${created.body}`);
  const tradeId = await seedTrade();
  // The batch notarised and its reads loaded, so that its receipt and read proofs answer 200.
  const desk = await token('DISCOM');
  await eventually(async () => ((await h.app.inject({ method: 'GET', url: `/v1/reads/proof?meterId=${METERS[0]}&blockStart=${encodeURIComponent(blocks[0]!)}&channel=IMPORT`, headers: { authorization: desk.authorization } })).statusCode === 200 ? true : undefined), 120_000, 'the seeded batch notarised and loaded');

  /** A P2P trade between two of the tenant's meters through its platform, from the shared DEG example (when present). */
  async function seedTrade(): Promise<string | undefined> {
    const fixtures = sharedFixturesUrl();
    if (!fixtures) return undefined;
    const day = 86_400_000;
    const start = new Date((Math.floor((Date.now() + 330 * 60_000) / day) + 2) * day - 330 * 60_000 + 10 * 3_600_000).toISOString().replace('.000Z', 'Z');
    let text = readFileSync(new URL('deg-p2p-wave2/confirm-request.json', fixtures), 'utf8');
    const swap: [string, string][] = [
      ['1268c204-675b-4adb-9321-b08231b147b2', randomUUID()],
      ['TEST_METER_SELLER_001', METERS[0]!], ['TEST_METER_BUYER_001', METERS[1]!],
      ['TEST_DISCOM_SELLER', tenant], ['TEST_DISCOM_BUYER', tenant],
      ['sellerapp.example.com', PARTICIPANTS.PLATFORM], ['buyerapp.example.com', BUYER_PLATFORM],
      ['2026-04-26T04:30:00Z', start],
    ];
    for (const [from, to] of swap) text = text.split(from).join(to);
    const res = await signedWrite('POST', '/v1/p2p/trades', Buffer.from(text), 'PLATFORM');
    if (res.statusCode !== 201) throw new Error(`seed trade refused: ${res.statusCode} ${res.body}`);
    return (res.json() as { trades: { tradeId: string }[] }).trades[0]!.tradeId;
  }

  async function signedWrite(method: string, url: string, body: Buffer, role: Role) {
    const signature = await sign(role, method, url, body);
    return h.app.inject({ method: method as 'POST', url, headers: { 'content-type': 'application/json', 'x-ies-signature': signature }, payload: body });
  }

  /** A detached JWS over `body`, bound to the request (htm, htu = the path as sent, tenant). */
  async function sign(role: Role, method: string, path: string, body: Buffer, bindTenant = tenant): Promise<string> {
    const { key } = keys.get(role)!;
    return signDetached(body, key, { iat: Math.floor(Date.now() / 1000), jti: `sec-${randomUUID()}`, htm: method.toUpperCase(), htu: path, tenant: bindTenant });
  }

  /** A bearer token of the role's participant (2 minutes), and for an auditor the DISCOM's capability. */
  async function token(role: Role): Promise<{ authorization: string; capability?: string }> {
    const { id, key } = keys.get(role)!;
    const jwt = await new SignJWT({}).setProtectedHeader({ alg: key.alg, kid: key.kid }).setIssuer(id).setAudience(h.config.nodeId).setIssuedAt().setExpirationTime('2m').sign(key.privateKey);
    if (role !== 'AUDITOR') return { authorization: `Bearer ${jwt}` };
    const desk = keys.get('DISCOM')!;
    const capability = await new SignJWT({ scope: 'proofs' }).setProtectedHeader({ alg: desk.key.alg, kid: desk.key.kid }).setIssuer(desk.id).setSubject(id).setAudience(h.config.nodeId).setIssuedAt().setExpirationTime('1d').sign(desk.key.privateKey);
    return { authorization: `Bearer ${jwt}`, capability };
  }

  const fixtures = { tenant, peer, participants: { ...PARTICIPANTS, PEER_DISCOM: peer }, meters: METERS, programme: PROGRAMME, batchId, eventId, tradeId, blockStart: blocks[0] };

  const signer = createServer((req, res) => void answer(req, res).catch((err: Error) => reply(res, 500, { error: err.message })));
  async function answer(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const input = chunks.length ? (JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, string>) : {};
    const role = input.role as Role;
    if (req.url === '/fixtures') return reply(res, 200, fixtures);
    if (!keys.has(role)) return reply(res, 400, { error: `unknown role ${String(role)}` });
    if (req.url === '/token') return reply(res, 200, await token(role));
    if (req.url === '/sign') return reply(res, 200, { signature: await sign(role, input.method ?? 'POST', input.path ?? '/', Buffer.from(input.body ?? '', 'base64'), input.tenant ?? tenant) });
    return reply(res, 404, { error: `no ${req.url}` });
  }

  await h.app.listen({ host: '127.0.0.1', port: 0 });
  await new Promise<void>((resolve) => signer.listen(0, '127.0.0.1', resolve));
  const gatewayPort = (h.app.server.address() as AddressInfo).port;
  const signerPort = (signer.address() as AddressInfo).port;
  const ready = process.argv[2];
  if (!ready) throw new Error('usage: target.js <ready-file>');
  // Written whole, then renamed: whoever waits for the file never reads half of it.
  writeFileSync(`${ready}.tmp`, `${JSON.stringify({ gateway: `http://127.0.0.1:${gatewayPort}`, signer: `http://127.0.0.1:${signerPort}`, tenant })}\n`);
  renameSync(`${ready}.tmp`, ready);

  const stop = () => {
    signer.close();
    void Promise.allSettled([loader.stop(), notary.stop()]).then(() => h.close()).then(() => dropTopics(h.kafka, tenant)).finally(() => process.exit(0));
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}

/**
 * The campaign's tenant is thrown away after the run: its topics are deleted, so that runs on
 * a long-lived local stack do not pile up partitions (each holds open files in the broker).
 */
async function dropTopics(kafka: Kafka, tenant: string): Promise<void> {
  const admin = kafka.admin();
  try {
    await admin.connect();
    const topics = (await admin.listTopics()).filter((t) => t.startsWith(`ies.${tenant}.`));
    if (topics.length > 0) await admin.deleteTopics({ topics, timeout: 30_000 });
  } catch (err) {
    console.error(`the campaign's topics of ${tenant} were not deleted: ${(err as Error).message}`);
  } finally {
    await admin.disconnect();
  }
}

function reply(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
