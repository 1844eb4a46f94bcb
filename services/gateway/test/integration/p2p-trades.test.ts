// POST /v1/p2p/trades and the P2P read routes against the local stack (Redis, Kafka, registry).
// The DEG messages are the shared wave-2 examples (CC BY-NC-SA, read at test time and never
// copied), with ids, meters, DISCOMs and the delivery window replaced in memory.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { SignJWT } from 'jose';
import { TOPICS, topicName } from '@ies/contracts';
import { generateSigningKey, signDetached, type KeyPair } from '@ies/crypto';
import { createRedis } from '@ies/redis';
import { P2pStore, SIDE_ALLOCATION_SCHEMA, SettlementKeys, combineSides, signSide, type SideAllocation } from '@ies/settlement/testing';
import { stackConfig } from '@ies/testing';
import { startHarness, type Json } from './harness.js';
import { degMessage as baseDegMessage, slot, tradePath, type TradeOptions as BaseTradeOptions } from './deg-messages.js';

const DAY_MS = 86_400_000;

let h: Awaited<ReturnType<typeof startHarness>>;
let seller: string;
let buyer: string;
const keys: Record<string, KeyPair> = {};
const redis = createRedis(stackConfig());

type TradeOptions = Omit<BaseTradeOptions, 'sellerDiscom' | 'buyerDiscom'> & Partial<Pick<BaseTradeOptions, 'sellerDiscom' | 'buyerDiscom'>>;
/** A DEG example with this test's parties. */
const degMessage = (o: TradeOptions = {}) => baseDegMessage({ ...o, sellerDiscom: o.sellerDiscom ?? seller, buyerDiscom: o.buyerDiscom ?? buyer });

async function post(doc: unknown, key: KeyPair = keys['PLAT-SELL']!, opts: { signature?: string; body?: Buffer } = {}) {
  const body = opts.body ?? Buffer.from(JSON.stringify(doc));
  const signature = opts.signature ?? (await signDetached(body, key, { iat: Math.floor(Date.now() / 1000), jti: randomUUID(), htm: 'POST', htu: '/v1/p2p/trades', tenant: h.registry.key(key.kid)?.discomId ?? '' }));
  const res = await h.app.inject({ method: 'POST', url: '/v1/p2p/trades', headers: { 'content-type': 'application/json', 'x-ies-signature': signature }, payload: body });
  return { res, json: res.json() as Json };
}

async function get(url: string, participant: string, discom: string) {
  const key = keys[`${discom}/${participant}`] ?? keys[participant]!;
  const token = await new SignJWT({}).setProtectedHeader({ alg: key.alg, kid: key.kid }).setIssuer(participant).setAudience(h.config.nodeId).setIssuedAt().setExpirationTime('2m').sign(key.privateKey);
  return h.app.inject({ method: 'GET', url, headers: { authorization: `Bearer ${token}` } });
}

const tradeUrl = tradePath;

before(async () => {
  h = await startHarness(2, { IES_P2P_TRADE_BACKFILL_MS: String(DAY_MS) });
  [seller, buyer] = h.tenants as [string, string];
  for (const id of ['PLAT-SELL', 'PLAT-BUY', 'PLAT-OTHER']) keys[id] = await generateSigningKey('EdDSA');
  for (const t of [seller, buyer]) keys[`${t}/OPS`] = await generateSigningKey('EdDSA');
  const participant = (id: string, role: string, key: KeyPair) => `  - id: ${id}\n    role: ${role}\n    name: ${id}\n    keys:\n      - ${JSON.stringify(key.publicJwk)}\n`;
  const meter = (id: string) => `  - { id: ${id}, scheme: METER_SERIAL, sanctionedLoadW: 10000 }\n`;
  // The seller DISCOM registers both platforms; PLAT-OTHER signs validly but is a party of no contract.
  // Customers enrolled their meters for trading with both platforms (consent in each DISCOM's
  // registry); the buyer DISCOM knows the platforms too (without keys: they sign with the seller's).
  const consents = (meters: string) => `tradingConsents:\n  - { platform: PLAT-SELL, meters: [${meters}] }\n  - { platform: PLAT-BUY, meters: [${meters}] }\n`;
  const keyless = (id: string) => `  - id: ${id}\n    role: PLATFORM\n    name: ${id}\n`;
  const sellerDoc = `discom: ${seller}\nparticipants:\n${participant('PLAT-SELL', 'PLATFORM', keys['PLAT-SELL']!)}${participant('PLAT-BUY', 'PLATFORM', keys['PLAT-BUY']!)}${participant('PLAT-OTHER', 'PLATFORM', keys['PLAT-OTHER']!)}${participant('OPS', 'DISCOM', keys[`${seller}/OPS`]!)}meters:\n${meter('M-SELL')}${meter('M-SELL-2')}${meter('M-LOCAL-BUY')}${consents('M-SELL, M-SELL-2, M-LOCAL-BUY')}`;
  const buyerDoc = `discom: ${buyer}\nparticipants:\n${participant('OPS', 'DISCOM', keys[`${buyer}/OPS`]!)}${keyless('PLAT-SELL')}${keyless('PLAT-BUY')}meters:\n${meter('M-BUY')}${meter('M-BUY-NO-CONSENT')}${consents('M-BUY')}`;
  for (const doc of [sellerDoc, buyerDoc]) {
    const res = await h.applyRegistry(doc);
    assert.equal(res.statusCode, 200, res.body);
  }
});

after(async () => {
  await h.close();
  redis.disconnect();
});

test('a signed confirm is accepted, stored for both hosted DISCOMs, and its on_confirm is a replay', async () => {
  const { doc, tx } = degMessage();
  const first = await post(doc);
  assert.equal(first.res.statusCode, 201, first.res.body);
  assert.deepEqual(first.json.trades.map((t: Json) => [t.discomId, t.state, t.outcome]).sort(), [[buyer, 'CONFIRMED', 'CREATED'], [seller, 'CONFIRMED', 'CREATED']].sort());

  // The same message again, and the seller platform's on_confirm of it: nothing new.
  const again = await post(doc);
  assert.equal(again.res.statusCode, 200, again.res.body);
  assert.ok(again.json.trades.every((t: Json) => t.outcome === 'REPLAY' && t.revision === 0));
  const onConfirm = await post(degMessage({ tx, file: 'on-confirm-response.json' }).doc);
  assert.equal(onConfirm.res.statusCode, 200, onConfirm.res.body);

  // Each DISCOM reads its own copy; the trade went to both tenants' p2p-trades.v1 (outbox relayed).
  for (const t of [seller, buyer]) {
    const res = await get(tradeUrl(tx), 'OPS', t);
    assert.equal(res.statusCode, 200, res.body);
    const body = res.json() as Json;
    assert.equal(body.discomId, t);
    assert.deepEqual(body.trade.intervals.map((iv: Json) => [iv.quantityWh, iv.pricePaisePerKwh]), [[20_500, 1250], [15_500, 1450]]);
    assert.equal(body.trade.seller.discomId, seller);
    assert.equal(body.trade.buyer.discomId, buyer);
    const outbox = await redis.xlen(`ies:${t}:p2p:outbox:trades`);
    assert.equal(outbox, 0, 'the outbox was relayed to Kafka');
  }

  // No allocation yet: 202 with Retry-After while the window is ahead.
  const alloc = await get(tradeUrl(tx, '/allocation'), 'OPS', seller);
  assert.equal(alloc.statusCode, 202, alloc.body);
  assert.ok(Number(alloc.headers['retry-after']) > 3600);
  assert.deepEqual((alloc.json() as Json).awaiting, [`SELLER side from ${seller}`, `BUYER side from ${buyer}`]);

  // A platform that is no party and another tenant's participant see nothing.
  assert.equal((await get(tradeUrl(tx), 'PLAT-OTHER', seller)).statusCode, 404);
  assert.equal((await get(tradeUrl(randomUUID()), 'OPS', buyer)).statusCode, 404);
});

test('conflicting terms under a known trade id are refused', async () => {
  const { doc, tx } = degMessage();
  assert.equal((await post(doc)).res.statusCode, 201);
  const changed = degMessage({ tx });
  changed.doc.message.contract.commitments[0].commitmentAttributes.intervals[0].payloads[1].values = [21];
  const res = await post(changed.doc);
  assert.equal(res.res.statusCode, 409, res.res.body);
  assert.equal(res.json.code, 'IES_ERR_P2P_TRADE_CONFLICT');
});

test('refusals: unregistered platform key, unknown platform in the contract, same meter, bad signature, non-party signer', async () => {
  const stranger = await generateSigningKey('EdDSA');
  const unregistered = await post(degMessage().doc, stranger);
  assert.equal(unregistered.res.statusCode, 401);
  assert.equal(unregistered.json.code, 'IES_ERR_SIGNATURE_INVALID');

  const unknownPlatform = await post(degMessage({ buyerPlatform: 'PLAT-NOBODY' }).doc);
  assert.equal(unknownPlatform.res.statusCode, 422, unknownPlatform.res.body);
  assert.equal(unknownPlatform.json.code, 'IES_ERR_P2P_PLATFORM_UNKNOWN');
  assert.match(unknownPlatform.json.problems[0].message, /PLAT-NOBODY is not a registered trading platform/);

  const sameMeter = await post(degMessage({ buyerMeter: 'M-SELL', buyerDiscom: seller }).doc);
  assert.equal(sameMeter.res.statusCode, 422, sameMeter.res.body);
  assert.equal(sameMeter.json.code, 'IES_ERR_P2P_SAME_METER');

  // A signature over other bytes.
  const { doc } = degMessage();
  const body = Buffer.from(JSON.stringify(doc));
  const signature = await signDetached(Buffer.from('something else'), keys['PLAT-SELL']!, { iat: Math.floor(Date.now() / 1000), jti: randomUUID(), htm: 'POST', htu: '/v1/p2p/trades', tenant: h.registry.key(keys['PLAT-SELL']!.kid)?.discomId ?? '' });
  const bad = await post(doc, undefined, { body, signature });
  assert.equal(bad.res.statusCode, 401, bad.res.body);
  assert.equal(bad.json.code, 'IES_ERR_SIGNATURE_INVALID');

  const notParty = await post(degMessage().doc, keys['PLAT-OTHER']);
  assert.equal(notParty.res.statusCode, 403, notParty.res.body);
  assert.equal(notParty.json.code, 'IES_ERR_P2P_PLATFORM_NOT_PARTY');

  const past = await post(degMessage({ start: slot(-1) }).doc);
  assert.equal(past.res.statusCode, 422, past.res.body);
  assert.equal(past.json.code, 'IES_ERR_P2P_WINDOW_PAST');
});

test('an update cancels the trade (a transition, the record stays) and a curtailment lowers a quantity', async () => {
  const cancelled = degMessage({ sellerMeter: 'M-SELL-2', buyerMeter: 'M-LOCAL-BUY', buyerDiscom: seller });
  assert.equal((await post(cancelled.doc)).res.statusCode, 201);
  const update = structuredClone(cancelled.doc);
  update.context.action = 'update';
  update.message.contract.status = { code: 'CANCELLED' };
  const res = await post(update);
  assert.equal(res.res.statusCode, 200, res.res.body);
  assert.deepEqual(res.json.trades.map((t: Json) => [t.discomId, t.state, t.revision, t.outcome]), [[seller, 'CANCELLED', 1, 'CANCEL']]);
  const read = await get(tradeUrl(cancelled.tx), 'OPS', seller);
  assert.equal((read.json() as Json).state, 'CANCELLED');
  assert.equal((await get(tradeUrl(cancelled.tx, '/allocation'), 'OPS', seller)).statusCode, 404);

  const curtailed = degMessage();
  assert.equal((await post(curtailed.doc)).res.statusCode, 201);
  const lower = structuredClone(curtailed.doc);
  lower.context.action = 'update';
  lower.message.contract.commitments[0].commitmentAttributes.intervals[1].payloads[1].values = [10];
  const cut = await post(lower);
  assert.equal(cut.res.statusCode, 200, cut.res.body);
  assert.ok(cut.json.trades.every((t: Json) => t.state === 'CURTAILED' && t.revision === 1));
  const raise = structuredClone(curtailed.doc);
  raise.context.action = 'update';
  raise.message.contract.commitments[0].commitmentAttributes.intervals[0].payloads[1].values = [30];
  const refused = await post(raise);
  assert.equal(refused.res.statusCode, 422);
  assert.equal(refused.json.code, 'IES_ERR_P2P_UPDATE_INVALID');

  const unknown = structuredClone(update);
  unknown.context.transactionId = randomUUID();
  assert.equal((await post(unknown)).json.code, 'IES_ERR_P2P_TRADE_UNKNOWN');
});

test('the JWKS lists the tenant settlement keys with role SETTLEMENT', async () => {
  const jwks = await new SettlementKeys(redis, path.join(tmpdir(), `ies-settle-${randomUUID()}`)).publish(seller);
  const res = await h.app.inject({ method: 'GET', url: `/.well-known/jwks.json?discom=${seller}` });
  assert.equal(res.statusCode, 200);
  const listed = (res.json() as Json).keys.filter((k: Json) => k['ies:role'] === 'SETTLEMENT');
  assert.deepEqual(listed.map((k: Json) => k.kid), jwks.map((k) => k.kid));
  assert.equal(topicName(seller, TOPICS.p2pSides), `ies.${seller}.p2p-sides.v1`);
});

test('the allocation is served as a DEG on_status once the final exists; a peer node delivers sides over POST /v1/p2p/sides', async () => {
  const { doc, tx } = degMessage();
  assert.equal((await post(doc)).res.statusCode, 201);
  const store = new P2pStore(redis);
  const record = (await store.getTrade(seller, `${tx}/commitment-p2p-001`))!;
  const sideOf = (side: 'SELLER' | 'BUYER', discomId: string, meterId: string, allocated: number[]): SideAllocation => ({
    schema: SIDE_ALLOCATION_SCHEMA, tradeId: record.trade.tradeId, side, discomId, meterId, version: 1, status: 'COMPLETED',
    intervals: record.trade.intervals.map((iv, i) => ({ startMs: iv.startMs, endMs: iv.endMs, contractedWh: iv.quantityWh, allocatedWh: allocated[i]! })), evidence: [],
  });
  const sellerSide = sideOf('SELLER', seller, 'M-SELL', [20_500, 9_000]);
  const buyerSide = sideOf('BUYER', buyer, 'M-BUY', [18_000, 15_500]);

  // The seller DISCOM's node signs its side; the buyer DISCOM's copy receives it over HTTP.
  const keyDir = path.join(tmpdir(), `ies-settle-${randomUUID()}`);
  const sellerKeys = new SettlementKeys(redis, keyDir);
  await sellerKeys.publish(seller);
  const jws = await signSide(sellerSide, await sellerKeys.keyFile(seller).current());
  const delivered = await h.app.inject({ method: 'POST', url: '/v1/p2p/sides', headers: { 'content-type': 'application/jose' }, payload: jws });
  assert.equal(delivered.statusCode, 202, delivered.body);
  assert.deepEqual((delivered.json() as Json).deliveredTo, [buyer]);
  const forged = await signSide(sellerSide, await new SettlementKeys(redis, keyDir).keyFile(buyer).current());
  const refused = await h.app.inject({ method: 'POST', url: '/v1/p2p/sides', headers: { 'content-type': 'application/jose' }, payload: forged });
  assert.equal(refused.statusCode, 401, refused.body);
  assert.equal((refused.json() as Json).code, 'IES_ERR_P2P_SIDE_UNTRUSTED');

  // A final as the reconciler stores it: on_status with both sides and FINAL_ALLOC = min.
  const final = combineSides(record.trade, sellerSide, buyerSide);
  assert.ok(await store.saveFinal(seller, { discomId: seller, version: 1, final, sellerJws: jws, buyerJws: '', at: Date.now() }));
  const res = await get(tradeUrl(tx, '/allocation'), 'OPS', seller);
  assert.equal(res.statusCode, 200, res.body);
  assert.equal(res.headers['x-ies-allocation-version'], '1');
  const intervals = (res.json() as Json).message.contract.commitments[0].commitmentAttributes.intervals as Json[];
  const column = (type: string) => intervals.map((iv) => iv.payloads.find((p: Json) => p.type === type).values[0]);
  assert.deepEqual(column('SELLER_DISCOM_ALLOC'), [20.5, 9]);
  assert.deepEqual(column('BUYER_DISCOM_ALLOC'), [18, 15.5]);
  assert.deepEqual(column('FINAL_ALLOC'), [18, 9]);
  // The buyer DISCOM has no final yet: still 202 there (tenant isolation: its own copy only).
  assert.equal((await get(tradeUrl(tx, '/allocation'), 'OPS', buyer)).statusCode, 202);
});

test('a trade confirmed before delivery may be lodged late within IES_P2P_TRADE_BACKFILL_MS; without a timely contract timestamp it is in the past', async () => {
  const started = new Date(Math.floor((Date.now() - 3_600_000) / 900_000) * 900_000).toISOString().replace('.000Z', 'Z');
  const late = degMessage({ start: started });
  (late.doc['context'] as Json)['timestamp'] = new Date(Date.parse(started) - 3_600_000).toISOString();
  const accepted = await post(late.doc);
  assert.equal(accepted.res.statusCode, 201, accepted.res.body);

  const fresh = degMessage({ start: started });
  (fresh.doc['context'] as Json)['timestamp'] = new Date().toISOString();
  const refused = await post(fresh.doc);
  assert.equal(refused.res.statusCode, 422, refused.res.body);
  assert.equal(refused.json['code'], 'IES_ERR_P2P_WINDOW_PAST');
});

test('a platform binds a hosted meter only with that DISCOM’s registration and the customer’s trading consent', async () => {
  // The meter of the buyer DISCOM whose customer never enrolled with the platform.
  const noConsent = degMessage({ buyerMeter: 'M-BUY-NO-CONSENT' });
  const refused = await post(noConsent.doc);
  assert.equal(refused.res.statusCode, 403, refused.res.body);
  assert.equal(refused.json.code, 'IES_ERR_P2P_CONSENT_MISSING');
  assert.match(refused.json.detail, /buyer meter M-BUY-NO-CONSENT/);
  // A platform registered only with the seller DISCOM makes a buyer-DISCOM customer its buyer.
  const stranger = degMessage({ sellerPlatform: 'PLAT-OTHER' });
  const bound = await post(stranger.doc, keys['PLAT-OTHER']);
  assert.equal(bound.res.statusCode, 403, bound.res.body);
  assert.equal(bound.json.code, 'IES_ERR_P2P_CONSENT_MISSING');
  // Nothing was stored for either DISCOM: the buyer's desk sees no such trade.
  for (const { tx } of [noConsent, stranger]) {
    const seen = await get(tradeUrl(tx), 'OPS', buyer);
    assert.equal(seen.statusCode, 404, seen.body);
  }
});

test('a trade body naming a member twice is refused (400 IES_ERR_DUPLICATE_KEY), not confirmed with the last value', async () => {
  const { doc, tx } = degMessage();
  const text = JSON.stringify(doc).replace(`"transactionId":"${tx}"`, `"transactionId":"${tx}-decoy","transactionId":"${tx}"`);
  assert.notEqual(text, JSON.stringify(doc));
  const { res, json } = await post(undefined, keys['PLAT-SELL']!, { body: Buffer.from(text) });
  assert.equal(res.statusCode, 400, res.body);
  assert.equal(json.code, 'IES_ERR_DUPLICATE_KEY');
  assert.equal(json.path, '$.context');
  assert.equal((await get(tradeUrl(tx), 'PLAT-SELL', seller)).statusCode, 404);
});
