// The route × credential matrix (docs/security.md): every route with no credential, another
// tenant's DISCOM, and each role of the tenant, against real data on the local stack (a
// notarised and stored batch, a DR event, a P2P trade). Each cell asserts the documented
// status; every refusal is problem+json and carries none of the data it guards.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { SignJWT } from 'jose';
import { generateSigningKey, signDetached, type KeyPair } from '@ies/crypto';
import { startLoaderService } from '@ies/loader';
import { startNotaryService } from '@ies/notary';
import { createLogger } from '@ies/observability';
import { eventually, nullStream } from '@ies/testing';
import { CSV_HEADER, istBlocks, startHarness, type Json } from './harness.js';
import { degMessage, tradePath } from './deg-messages.js';

type Cred = 'none' | 'OTHER' | 'DESK' | 'HES' | 'AGG' | 'PLAT' | 'AUD' | 'PEER';
const CREDS: readonly Cred[] = ['none', 'OTHER', 'DESK', 'HES', 'AGG', 'PLAT', 'AUD', 'PEER'];
const ROLES: Record<Exclude<Cred, 'none' | 'OTHER'>, string> = { DESK: 'DISCOM', HES: 'HEADEND', AGG: 'AGGREGATOR', PLAT: 'PLATFORM', AUD: 'AUDITOR', PEER: 'PEER_DISCOM' };
/** Words that only a successful answer carries: a refusal must hold none of them. */
const DATA_MARKERS = ['"wh"', '"batchRoot"', '"history"', '"trades"', '"trade"', '"statements"', '"readCount"', '"intervals"'];

let h: Awaited<ReturnType<typeof startHarness>>;
let own: string;
let other: string;
const keys = {} as Record<Cred, KeyPair>;
let notary: Awaited<ReturnType<typeof startNotaryService>>;
let loader: Awaited<ReturnType<typeof startLoaderService>>;
let batchId: string;
let tradeTx: string;
const blocks = istBlocks(6);
const HOUR_MS = 3_600_000;
const tomorrowEvening = Math.floor((Date.now() + 330 * 60_000) / 86_400_000) * 86_400_000 + 86_400_000 - 330 * 60_000 + 18 * HOUR_MS;

const idOf = (c: Cred) => (c === 'PEER' ? other : c === 'OTHER' ? 'OTHER-DESK' : c);
const tenantOf = (c: Cred) => (c === 'OTHER' ? other : own);

before(async () => {
  h = await startHarness(2);
  [own, other] = h.tenants as [string, string];
  for (const c of CREDS) if (c !== 'none') keys[c] = await generateSigningKey('EdDSA');
  const who = (c: Cred) => `  - id: ${idOf(c)}\n    role: ${ROLES[c as keyof typeof ROLES]}\n    name: ${c}\n    keys:\n      - ${JSON.stringify(keys[c].publicJwk)}\n`;
  const meters = ['M-1', 'M-2', 'M-3'].map((m) => `  - { id: ${m}, scheme: METER_SERIAL, headEnd: HES, sanctionedLoadW: 10000 }\n`).join('');
  const doc = `discom: ${own}\nparticipants:\n${(['DESK', 'HES', 'AGG', 'PLAT', 'AUD', 'PEER'] as const).map(who).join('')}  - id: PLAT-B\n    role: PLATFORM\n    name: buyer platform\nmeters:\n${meters}enrolments:\n  - { aggregator: AGG, programme: PEAK, meters: [M-1] }\ntradingConsents:\n  - { platform: PLAT, meters: [M-1, M-2] }\n`;
  for (const d of [doc, `discom: ${other}\nparticipants:\n  - id: OTHER-DESK\n    role: DISCOM\n    name: the other DISCOM's desk\n    keys:\n      - ${JSON.stringify(keys.OTHER.publicJwk)}\n`]) {
    const res = await h.applyRegistry(d);
    assert.equal(res.statusCode, 200, res.body);
  }
  const env = { ...process.env, IES_TENANTS: h.tenants.join(','), IES_NOTARY_KEYS_DIR: mkdtempSync(path.join(tmpdir(), 'ies-notary-')), IES_OPERATOR_JWKS_FILE: h.config.auth.operatorJwksFile, IES_LOG_LEVEL: 'warn' };
  notary = await startNotaryService(env, { onFatal: (err) => assert.fail(err), logger: createLogger({ name: 'it', level: 'silent' }, nullStream()) });
  loader = await startLoaderService(env);

  // The data every route guards: a notarised, stored batch; a DR event; a P2P trade.
  const batch = await h.submit(`${CSV_HEADER}\nM-1,${blocks[0]},411,0,VALID\nM-2,${blocks[0]},99,0,VALID\n`, keys.HES);
  assert.equal(batch.res.statusCode, 202, batch.res.body);
  batchId = batch.json().batchId as string;
  await eventually(async () => ((await call('DESK', 'GET', proofUrl('M-1'))).statusCode === 200 ? true : undefined), 60_000, 'the read proof');
  const event = await call('AGG', 'POST', '/v1/dr/events', eventBody('EV-M'));
  assert.equal(event.statusCode, 201, event.body);
  const { doc: trade, tx } = degMessage({ sellerMeter: 'M-1', buyerMeter: 'M-2', sellerDiscom: own, buyerDiscom: own, sellerPlatform: 'PLAT', buyerPlatform: 'PLAT-B' });
  tradeTx = tx;
  const res = await call('PLAT', 'POST', '/v1/p2p/trades', trade);
  assert.equal(res.statusCode, 201, res.body);
});

after(async () => {
  await loader.stop();
  await notary.stop();
  await h.close();
});

const proofUrl = (meter: string) => `/v1/reads/proof?meterId=${meter}&blockStart=${encodeURIComponent(blocks[0]!)}&channel=import`;

function eventBody(eventId: string) {
  return {
    eventId, programmeId: 'PEAK', aggregatorId: 'AGG', window: { start: tomorrowEvening, end: tomorrowEvening + HOUR_MS },
    intervals: Array.from({ length: 4 }, () => ({ requestedWh: 100, offeredWh: 80, pricePaisePerKwh: 500, shortfallPenaltyPaisePerKwh: 200 })),
    participatingMeters: ['M-1'], methodology: 'deg-5of10@1',
  };
}

/** A request as `cred`: a bearer token for reads, a detached JWS bound to the request for writes. */
async function call(cred: Cred, method: 'GET' | 'POST' | 'PUT', url: string, body?: unknown, contentType = 'application/json') {
  const headers: Record<string, string> = {};
  if (cred !== 'none') {
    const key = keys[cred];
    headers.authorization = `Bearer ${await new SignJWT({}).setProtectedHeader({ alg: key.alg, kid: key.kid }).setIssuer(idOf(cred)).setAudience(h.config.nodeId).setIssuedAt().setExpirationTime('2m').sign(key.privateKey)}`;
  }
  if (method === 'GET') return h.app.inject({ method, url, headers });
  const bytes = Buffer.from(typeof body === 'string' ? body : JSON.stringify(body));
  if (cred !== 'none' && method === 'POST') {
    headers['x-ies-signature'] = await signDetached(bytes, keys[cred], { iat: Math.floor(Date.now() / 1000), jti: randomUUID(), htm: method, htu: url.split('?')[0]!, tenant: tenantOf(cred) });
  }
  return h.app.inject({ method, url, headers: { ...headers, 'content-type': contentType }, payload: bytes });
}

/** Runs one route across every credential and checks each documented status; refusals carry no data. */
async function matrix(route: string, expected: Record<Cred, number | readonly number[]>, request: (cred: Cred) => Promise<{ statusCode: number; body: string; headers: Record<string, unknown> }>) {
  const got: Partial<Record<Cred, number>> = {};
  for (const cred of CREDS) {
    const res = await request(cred);
    got[cred] = res.statusCode;
    const want = expected[cred];
    assert.ok(Array.isArray(want) ? want.includes(res.statusCode) : res.statusCode === want, `${route} as ${cred}: ${res.statusCode}, expected ${String(want)}: ${res.body.slice(0, 300)}`);
    if (res.statusCode >= 400) {
      assert.match(String(res.headers['content-type']), /^application\/problem\+json/, `${route} as ${cred}: a refusal is problem+json`);
      for (const marker of DATA_MARKERS) assert.ok(!res.body.includes(marker), `${route} as ${cred}: the refusal carries ${marker}`);
    }
  }
  return got;
}

test('reads: receipts and proofs follow the data', async () => {
  await matrix('GET receipt', { none: 401, OTHER: 404, DESK: 200, HES: 200, AGG: 404, PLAT: 404, AUD: 403, PEER: 403 }, (c) => call(c, 'GET', `/v1/batches/${encodeURIComponent(batchId)}/receipt`));
  await matrix('GET proof M-1', { none: 401, OTHER: 404, DESK: 200, HES: 200, AGG: 200, PLAT: 404, AUD: 403, PEER: 403 }, (c) => call(c, 'GET', proofUrl('M-1')));
  await matrix('GET proof M-2', { none: 401, OTHER: 404, DESK: 200, HES: 200, AGG: 404, PLAT: 404, AUD: 403, PEER: 403 }, (c) => call(c, 'GET', proofUrl('M-2')));
});

test('reads: DR events, trades and statements are for their parties only', async () => {
  for (const suffix of ['', '/baselines', '/performance']) {
    // An existing DRAFT event has no baselines or performance: 404 for its parties too, with a reason.
    const party = suffix === '' ? 200 : 404;
    await matrix(`GET event${suffix}`, { none: 401, OTHER: 404, DESK: party, HES: 404, AGG: party, PLAT: 404, AUD: 404, PEER: 403 }, (c) => call(c, 'GET', `/v1/dr/events/EV-M${suffix}`));
  }
  await matrix('GET trade', { none: 401, OTHER: 404, DESK: 200, HES: 404, AGG: 404, PLAT: 200, AUD: 404, PEER: 403 }, (c) => call(c, 'GET', tradePath(tradeTx)));
  await matrix('GET allocation', { none: 401, OTHER: 404, DESK: 202, HES: 404, AGG: 404, PLAT: 202, AUD: 404, PEER: 403 }, (c) => call(c, 'GET', tradePath(tradeTx, '/allocation')));
  const day = blocks[0]!.slice(0, 10);
  const statements = await matrix('GET statements', { none: 401, OTHER: 200, DESK: 200, HES: 403, AGG: 403, PLAT: 403, AUD: 403, PEER: 403 }, (c) => call(c, 'GET', `/v1/statements?day=${day}`));
  assert.equal(statements.OTHER, 200);
  assert.equal((await call('OTHER', 'GET', `/v1/statements?day=${day}`)).json().discomId, other, 'another DISCOM reads its own statements, never this tenant\'s');
  await matrix('GET disputes', { none: 401, OTHER: 200, DESK: 200, HES: 403, AGG: 403, PLAT: 403, AUD: 403, PEER: 403 }, (c) => call(c, 'GET', `/v1/disputes?day=${day}`));
  // A peer DISCOM reads the disputes it raised (none here: 404), and nothing else.
  await matrix('GET dispute', { none: 401, OTHER: 404, DESK: 404, HES: 404, AGG: 404, PLAT: 404, AUD: 404, PEER: 404 }, (c) => call(c, 'GET', '/v1/disputes/DSP-00000000000000000000'));
});

test('reads: identity, the log and the webhook', async () => {
  await matrix('GET whoami', { none: 401, OTHER: 200, DESK: 200, HES: 200, AGG: 200, PLAT: 200, AUD: 200, PEER: 403 }, (c) => call(c, 'GET', '/v1/whoami'));
  // Checkpoints and notary keys are public by design among participants (forks must be detectable).
  await matrix('GET checkpoint', { none: 401, OTHER: [200, 404], DESK: 200, HES: 200, AGG: 200, PLAT: 200, AUD: 200, PEER: 403 }, (c) => call(c, 'GET', '/v1/log/checkpoint'));
  await matrix('GET webhook', { none: 401, OTHER: 403, DESK: 403, HES: 403, AGG: 404, PLAT: 403, AUD: 403, PEER: 403 }, (c) => call(c, 'GET', '/v1/dr/webhook'));
  // Public by design, no credential at all.
  for (const url of [`/.well-known/jwks.json?discom=${own}`, '/healthz', '/openapi.json', `/logs/${own}/checkpoint`, `/logs/${own}/tile/0/000.p/1`, `/logs/${own}/tile/entries/000.p/1`]) assert.equal((await h.app.inject(url)).statusCode, 200, url);
});

test('writes: only the role a write is for, in its own tenant', async () => {
  let n = 0;
  const csv = () => `${CSV_HEADER}\nM-3,${blocks[1 + (n++ % 5)]},${n},0,VALID\n`;
  await matrix('POST meter-data', { none: 401, OTHER: 403, DESK: 403, HES: 202, AGG: 403, PLAT: 403, AUD: 403, PEER: 403 }, (c) => call(c, 'POST', '/v1/meter-data', csv(), 'text/csv'));
  await matrix('POST dr event', { none: 401, OTHER: 422, DESK: 201, HES: 403, AGG: 201, PLAT: 403, AUD: 403, PEER: 403 }, (c) => call(c, 'POST', '/v1/dr/events', eventBody(`EV-W-${c}`)));
  await matrix('POST dr transition', { none: 401, OTHER: 404, DESK: 200, HES: 403, AGG: 200, PLAT: 403, AUD: 403, PEER: 403 }, (c) => call(c, 'POST', '/v1/dr/events/EV-M/transitions', { to: 'ACTIVE' }));
  await matrix('POST p2p trade', { none: 401, OTHER: 403, DESK: 403, HES: 403, AGG: 403, PLAT: 201, AUD: 403, PEER: 403 }, (c) => call(c, 'POST', '/v1/p2p/trades', degMessage({ sellerMeter: 'M-1', buyerMeter: 'M-2', sellerDiscom: own, buyerDiscom: own, sellerPlatform: 'PLAT', buyerPlatform: 'PLAT-B' }).doc));
  // Registry documents need the node operator's signature, whoever else signs them.
  await matrix('POST registry', { none: 401, OTHER: 401, DESK: 401, HES: 401, AGG: 401, PLAT: 401, AUD: 401, PEER: 401 }, (c) => call(c, 'POST', '/v1/registry', `discom: ${own}\nparticipants:\n  - id: INTRUDER\n    role: DISCOM\n    name: x\n`, 'application/yaml'));
  assert.equal(h.registry.participant(own, 'INTRUDER'), undefined);
  await matrix('PUT webhook', { none: 401, OTHER: 403, DESK: 403, HES: 403, AGG: [200, 201], PLAT: 403, AUD: 403, PEER: 403 }, (c) => call(c, 'PUT', '/v1/dr/webhook', { url: 'https://agg.example/ies/dr' }));
  await matrix('POST statement run', { none: 401, OTHER: [202, 200, 404, 422], DESK: [202, 200, 422], HES: 403, AGG: 403, PLAT: 403, AUD: 403, PEER: 403 }, (c) => call(c, 'POST', '/v1/statements/runs', { day: blocks[0]!.slice(0, 10) }));
  // A dispute's signer must be a party (DISCOM, PLATFORM, AGGREGATOR, PEER_DISCOM on lines towards it); the statement named does not exist.
  const dispute = { schema: 'ies.settlement.dispute/v1', statementId: `${own}:2026-01-01:R1`, type: 'CHARGE', reason: 'x', evidence: [], lines: [{ kind: 'WHEELING', reference: 't', intervalStartMs: 0, meterId: 'M-1', payer: 'meter:M-1', payee: `discom:${own}`, claimed: { amountPaise: 0 } }] };
  await matrix('POST dispute', { none: 401, OTHER: 422, DESK: 422, HES: 403, AGG: 422, PLAT: 422, AUD: 403, PEER: 422 }, (c) => call(c, 'POST', '/v1/disputes', dispute));
  await matrix('POST dispute decision', { none: 401, OTHER: 404, DESK: 404, HES: 403, AGG: 404, PLAT: 404, AUD: 403, PEER: 403 }, (c) => call(c, 'POST', '/v1/disputes/DSP-00000000000000000000/decisions', { status: 'UNDER_REVIEW' }));
  const ev = (await call('DESK', 'GET', '/v1/dr/events/EV-M')).json() as Json;
  assert.equal(ev.state, 'ACTIVE');
});
