// A counterparty DISCOM hosted on ANOTHER node disputes lines of a hosted DISCOM's statement,
// through the node's routes on the real stack. The operator registers it in the statement
// DISCOM D's registry as a PEER_DISCOM participant X carrying X's settlement key (an
// operator-signed registry document, as for P2P sides). D's meter S-1 sold 4000 Wh to X's
// meter BX; D's INITIAL statement has a P2P_ENERGY line paid by discom:X. X, signing with its
// key (detached JWS bound to POST /v1/disputes and tenant D), disputes that line: admitted, the
// statement DISPUTED, the dispute readable by X. On a line not towards X it is told exactly
// what a statement that does not exist gets; it never decides (403 IES_ERR_DISPUTE_NO_STANDING)
// and every other route, write or read, still refuses its key. A revoked key raises nothing.
// (The hosted-counterparty twin is services/settlement/test/integration/counterparty-dispute.test.ts.)
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { SignJWT } from 'jose';
import { createClickHouse } from '@ies/clickhouse';
import { generateSigningKey, signDetached, type KeyPair } from '@ies/crypto';
import { DrEventStore } from '@ies/dr/events';
import { migrateSettlementTables } from '@ies/settlement/migrations';
import { createRedis } from '@ies/redis';
import { stackConfig, uniqueTenant } from '@ies/testing';
import { DisputeStore, P2pStore, SettlementKeys, StatementSinks, StatementStore, drSourceOf, finalsAtCutoff, runCalendarStatement, type CalendarRunDeps, type NormalisedTrade, type PolicyPack } from '@ies/settlement/testing';
import { istDayOf, istDayStart } from '@ies/units';
import { startHarness, type Json } from './harness.js';
import { degMessage } from './deg-messages.js';

const H = 3_600_000;
const D = uniqueTenant('PDD');
/** The peer DISCOM on another node: not hosted here, known only as D's PEER_DISCOM. */
const X = uniqueTenant('PDX');
/** A second DISCOM of this node that also trades with X, so X registers its one key with both. */
const D2 = uniqueTenant('PDE');
const DAY = istDayOf(Date.now() - 2 * 86_400_000);
const PACK: PolicyPack = {
  policyId: `${D}.it`, discomId: D, version: 1, effectiveFrom: '2026-01-01',
  p2p: { wheeling: { buyerPaisePerKwh: 0, sellerPaisePerKwh: 0 }, transactionCharge: { buyerPaisePerKwh: 20, sellerPaisePerKwh: 20 }, sellerShortfall: { treatment: 'WAIVED' }, buyerShortfall: { treatment: 'WAIVED' } },
  calendar: { allowEarlyRuns: true, runs: [{ name: 'INITIAL', cutoffMinutesAfterDayEnd: 10 * 1440, missingData: 'ZERO_PENDING' }] },
  disputes: { materialityPaise: 100, types: { CHARGE: { deadlineMinutesAfterCutoff: 30 * 1440 } } },
};
const policiesDir = mkdtempSync(path.join(tmpdir(), 'ies-pdd-policies-'));
writeFileSync(path.join(policiesDir, `${D}.v1.json`), JSON.stringify(PACK));
const start = istDayStart(DAY)! + 10 * H;
const trade: NormalisedTrade = {
  tradeId: `pdd-${D}/c`, transactionId: `pdd-${D}`, commitmentId: 'c', contractId: null,
  seller: { meterId: 'S-1', discomId: D, platformId: 'D-PLAT' }, buyer: { meterId: 'BX', discomId: X, platformId: 'D-PLAT' },
  intervals: [{ startMs: start, endMs: start + H, quantityWh: 4000, pricePaisePerKwh: 600 }],
  intent: 'CONFIRM', source: { action: 'confirm', messageId: null, timestamp: null },
};

let h: Awaited<ReturnType<typeof startHarness>>;
const redis = createRedis(stackConfig());
const ch = createClickHouse(stackConfig());
const p2p = new P2pStore(redis);
const store = new StatementStore(redis);
const keys: Record<string, KeyPair> = {};
let statementId = '';
type Line = { kind: string; reference: string; intervalStartMs: number; meterId: string; payer: string; payee: string; counterparty: string; amountPaise: number };
let lines: Line[] = [];
let disputeId = '';

/** D's registry: its desk, and X as PEER_DISCOM with the given keys (a key with `status` REVOKED is revoked). */
const registryDoc = (peerKeys: { key: KeyPair; status?: 'REVOKED' }[]) => [
  `discom: ${D}`, 'participants:',
  `  - id: D-DESK\n    role: DISCOM\n    name: D's settlement desk\n    keys:\n      - ${JSON.stringify(keys['D-DESK']!.publicJwk)}`,
  `  - id: ${X}\n    role: PEER_DISCOM\n    name: ${X}, a DISCOM on another node\n    keys:\n${peerKeys.map((k) => `      - ${JSON.stringify({ ...k.key.publicJwk, ...(k.status ? { status: k.status } : {}) })}`).join('\n')}`,
  'meters:', '  - { id: S-1, scheme: METER_SERIAL, sanctionedLoadW: 10000 }', '',
].join('\n');

before(async () => {
  h = await startHarness(1, { IES_SETTLEMENT_POLICIES_DIR: policiesDir }, { tenants: [D, D2] });
  for (const id of ['D-DESK', 'X', 'X-NEXT']) keys[id] = await generateSigningKey('EdDSA');
  const applied = await h.applyRegistry(registryDoc([{ key: keys.X! }]));
  assert.equal(applied.statusCode, 200, applied.body);
  assert.equal(h.registry.participant(D, X)?.role, 'PEER_DISCOM');
  await migrateSettlementTables(h.config);
  const settlementKeys = new SettlementKeys(redis, mkdtempSync(path.join(tmpdir(), 'ies-pdd-keys-')));
  await settlementKeys.publish(D);
  const deps: CalendarRunDeps = {
    p2p, dr: drSourceOf(new DrEventStore(redis, h.deps.producer, h.serde), ch), policies: [PACK], store,
    sinks: new StatementSinks({ producer: h.deps.producer, serde: h.serde, ch }), now: Date.now,
    disputes: new DisputeStore(redis, { producer: h.deps.producer, serde: h.serde }),
    signer: async (d: string) => {
      const { privateKeys, jwks } = await settlementKeys.keyFile(d).current();
      return { kid: jwks[0]!.kid as string, privateKey: privateKeys[0]! };
    },
    finalsAt: (d, ids, cutoffMs) => finalsAtCutoff(ch, (id) => p2p.getFinalRecord(d, id), d, ids, cutoffMs),
  };
  // D's copy of the inter-DISCOM trade and the final allocation both sides agreed (4000 Wh).
  await p2p.confirm(D, trade, 'D-PLAT', Date.now());
  await p2p.saveFinal(D, {
    discomId: D, version: 1, sellerJws: '', buyerJws: '', at: Date.now() - 1,
    final: { tradeId: trade.tradeId, sellerDiscomId: D, buyerDiscomId: X, sellerVersion: 1, buyerVersion: 1, sellerStatus: 'COMPLETED', buyerStatus: 'COMPLETED', status: 'COMPLETED', evidence: [], intervals: [{ startMs: start, endMs: start + H, contractedWh: 4000, sellerWh: 4000, buyerWh: 4000, finalWh: 4000, sellerShortfallWh: 0, buyerShortfallWh: 0, deviationWh: 0 }] },
  });
  statementId = (await runCalendarStatement(deps, D, DAY, 'INITIAL')).statementId;
  const shown = await call('GET', `/v1/statements/${encodeURIComponent(statementId)}`, 'D-DESK');
  assert.equal(shown.statusCode, 200, shown.body);
  lines = shown.json().lines as Line[];
});

after(async () => {
  await h?.close();
  redis.disconnect();
  await ch.close();
});

const participantOf = (as: string) => (as === 'D-DESK' ? 'D-DESK' : X);

/** A bearer read as `as` (X and X-NEXT are keys of the participant X), naming `tenant` in its header when given. */
async function call(method: 'GET' | 'POST' | 'PUT', url: string, as: string, body?: Json, tenant?: string) {
  const k = keys[as]!;
  const token = await new SignJWT({}).setProtectedHeader({ alg: k.alg, kid: k.kid, ...(tenant === undefined ? {} : { tenant }) }).setIssuer(participantOf(as)).setAudience(h.config.nodeId).setIssuedAt().setExpirationTime('2m').sign(k.privateKey);
  return h.app.inject({ method, url, headers: { authorization: `Bearer ${token}` }, ...(body ? { payload: body } : {}) });
}

/** A signed write as `as`: the detached JWS over the body, bound to method, path and tenant D. */
async function signed(url: string, as: string, body: Json | string, opts: { method?: 'POST' | 'DELETE'; contentType?: string; tenant?: string } = {}) {
  const method = opts.method ?? 'POST';
  const bytes = Buffer.from(typeof body === 'string' ? body : JSON.stringify(body));
  const signature = await signDetached(bytes, keys[as]!, { iat: Math.floor(Date.now() / 1000), jti: `pdd-${randomUUID()}`, htm: method, htu: url, tenant: opts.tenant ?? D });
  return h.app.inject({ method, url, headers: { 'content-type': opts.contentType ?? 'application/json', 'x-ies-signature': signature }, payload: bytes });
}

const codeOf = (r: { statusCode: number; json: () => Json }) => [r.statusCode, r.json().code];
const towardsX = () => lines.filter((l) => l.counterparty === `discom:${X}`);
const notX = () => lines.filter((l) => l.counterparty !== `discom:${X}` && l.kind !== 'ADJUSTMENT');
/** A CHARGE dispute claiming 500 paise less on each line (500 more on a line below 500 paise). */
const dispute = (of: readonly Line[], id = statementId) => ({
  schema: 'ies.settlement.dispute/v1', statementId: id, type: 'CHARGE', reason: 'the contracted price was 475 paise/kWh', evidence: [],
  lines: of.map((l) => ({ kind: l.kind, reference: l.reference, intervalStartMs: l.intervalStartMs, meterId: l.meterId, payer: l.payer, payee: l.payee, claimed: { amountPaise: l.amountPaise >= 500 ? l.amountPaise - 500 : l.amountPaise + 500 } })),
});

test('the statement has a line paid by the peer DISCOM on another node, and lines that are not towards it', () => {
  assert.deepEqual(towardsX().map((l) => [l.kind, l.payer, l.payee, l.amountPaise]), [['P2P_ENERGY', `discom:${X}`, `discom:${D}`, 2400]]);
  assert.ok(notX().length >= 2, JSON.stringify(lines.map((l) => [l.kind, l.payer, l.payee, l.counterparty])));
});

test('on a line not towards it, the peer DISCOM gets exactly the answer a statement that does not exist gets', async () => {
  const missing = await signed('/v1/disputes', 'X', dispute(notX(), `${D}:${DAY}:R9`));
  assert.deepEqual(codeOf(missing), [422, 'IES_ERR_DISPUTE_INVALID']);
  const asMissing = (r: { json: () => Json }, id: string) => JSON.stringify(r.json()).split(id).join('<statement>');
  for (const stray of [notX(), [notX()[0]!], [...towardsX(), notX()[0]!]]) {
    const refused = await signed('/v1/disputes', 'X', dispute(stray));
    assert.equal(refused.statusCode, 422, refused.body);
    assert.equal(asMissing(refused, statementId), asMissing(missing, `${D}:${DAY}:R9`));
  }
  // Nothing was recorded, and the statement is not contested.
  assert.deepEqual((await call('GET', `/v1/disputes?day=${DAY}`, 'D-DESK')).json().disputes, []);
  assert.equal((await store.get(D, statementId))!.status, 'COMPUTED');
});

test('on the line towards it: admitted (signed by its key, tenant D), the statement DISPUTED, the dispute readable by the peer DISCOM', async () => {
  const raised = await signed('/v1/disputes', 'X', dispute(towardsX()));
  assert.equal(raised.statusCode, 201, raised.body);
  const d = raised.json();
  disputeId = d.disputeId as string;
  // X pays D 500 paise less: −500 as D sees it.
  assert.deepEqual([d.status, d.statementId, d.raisedBy, d.adjustments], ['RAISED', statementId, { discomId: D, participantId: X, role: 'PEER_DISCOM' }, [{ counterparty: `discom:${X}`, amountPaise: -500 }]]);
  const held = (await store.get(D, statementId))!;
  assert.equal(held.status, 'DISPUTED');
  const history = await store.history(D, statementId);
  assert.deepEqual(history.map((c) => [c.status, c.by]), [['COMPUTED', 'settlement-worker'], ['DISPUTED', X]]);
  assert.equal(typeof history[1]!.signed?.jws, 'string', 'the peer\'s signed document moved the statement');

  const read = await call('GET', `/v1/disputes/${disputeId}`, 'X');
  assert.equal(read.statusCode, 200, read.body);
  assert.deepEqual([read.json().dispute.disputeId, read.json().dispute.status], [disputeId, 'RAISED']);
  assert.deepEqual((read.json().history as Json[]).map((c) => [c.status, c.by, typeof c.signed?.jws]), [['RAISED', X, 'string']]);
  // The same document signed again (a new jti): the same dispute, nothing new.
  const again = await signed('/v1/disputes', 'X', dispute(towardsX()));
  assert.deepEqual([again.statusCode, again.json().disputeId], [201, disputeId]);
  assert.equal((await call('GET', `/v1/disputes?day=${DAY}`, 'D-DESK')).json().disputes.length, 1);
});

test('the peer DISCOM never decides; the desk does, and the peer reads the decisions on its dispute', async () => {
  const decide = (as: string, status: string) => signed(`/v1/disputes/${disputeId}/decisions`, as, { status, reason: `${status} by ${as}` });
  for (const status of ['UNDER_REVIEW', 'UPHELD', 'REJECTED']) assert.deepEqual(codeOf(await decide('X', status)), [403, 'IES_ERR_DISPUTE_NO_STANDING']);
  // A decision on a dispute that does not exist: the same refusal, before any lookup.
  assert.deepEqual(codeOf(await signed('/v1/disputes/DSP-00000000000000000000/decisions', 'X', { status: 'UNDER_REVIEW' })), [403, 'IES_ERR_DISPUTE_NO_STANDING']);
  assert.equal((await call('GET', `/v1/disputes/${disputeId}`, 'X')).json().dispute.status, 'RAISED');
  assert.equal((await decide('D-DESK', 'UNDER_REVIEW')).json().status, 'UNDER_REVIEW');
  assert.equal((await decide('D-DESK', 'REJECTED')).json().status, 'REJECTED');
  const shown = (await call('GET', `/v1/disputes/${disputeId}`, 'X')).json();
  assert.deepEqual((shown.history as Json[]).map((c) => [c.status, c.by]), [['RAISED', X], ['UNDER_REVIEW', 'D-DESK'], ['REJECTED', 'D-DESK']]);
  // Its last open dispute rejected: the statement's figures stand, FINAL.
  assert.equal((await store.get(D, statementId))!.status, 'FINAL');
});

test('the peer DISCOM gains no other power: every other write and read refuses its key', async () => {
  // A dispute of the desk's, on a line not towards X: X cannot read it, nor list the day's disputes.
  const desk = await signed('/v1/disputes', 'D-DESK', dispute([notX()[0]!]));
  assert.equal(desk.statusCode, 201, desk.body);
  assert.deepEqual(codeOf(await call('GET', `/v1/disputes/${desk.json().disputeId as string}`, 'X')), [404, 'IES_ERR_DISPUTE_NOT_FOUND']);
  assert.deepEqual(codeOf(await call('GET', `/v1/disputes?day=${DAY}`, 'X')), [403, 'IES_ERR_ROLE_FORBIDDEN']);
  const moves = (await store.history(D, statementId)).length;

  // Signed writes that other participants of the tenant make: refused by role (the registry: only the operator signs).
  const event = { eventId: 'EV-PDD', programmeId: 'PEAK', aggregatorId: X, window: { start: start + 30 * 86_400_000, end: start + 30 * 86_400_000 + H }, intervals: Array.from({ length: 4 }, () => ({ requestedWh: 100, offeredWh: 80, pricePaisePerKwh: 500, shortfallPenaltyPaisePerKwh: 0 })), participatingMeters: ['S-1'], methodology: 'deg-5of10@1' };
  const writes: [string, Awaited<ReturnType<typeof signed>>, number, string][] = [
    ['POST /v1/meter-data', await signed('/v1/meter-data', 'X', `meter_id,block_start,import_wh,export_wh,status\nS-1,${new Date(start).toISOString()},1,0,VALID\n`, { contentType: 'text/csv' }), 403, 'IES_ERR_TENANT_FORBIDDEN'],
    ['POST /v1/dr/events', await signed('/v1/dr/events', 'X', event), 403, 'IES_ERR_TENANT_FORBIDDEN'],
    ['POST /v1/dr/events/{id}/transitions', await signed('/v1/dr/events/EV-PDD/transitions', 'X', { to: 'ACTIVE' }), 403, 'IES_ERR_TENANT_FORBIDDEN'],
    ['POST /v1/dr/kafka-credentials', await signed('/v1/dr/kafka-credentials', 'X', {}), 403, 'IES_ERR_TENANT_FORBIDDEN'],
    ['DELETE /v1/dr/kafka-credentials/{user}', await signed(`/v1/dr/kafka-credentials/${D.toLowerCase()}-x`, 'X', {}, { method: 'DELETE' }), 403, 'IES_ERR_TENANT_FORBIDDEN'],
    ['POST /v1/dr/openadr-clients', await signed('/v1/dr/openadr-clients', 'X', { venName: 'x' }), 403, 'IES_ERR_TENANT_FORBIDDEN'],
    ['POST /v1/p2p/trades', await signed('/v1/p2p/trades', 'X', degMessage({ sellerMeter: 'S-1', buyerMeter: 'BX', sellerDiscom: D, buyerDiscom: X, sellerPlatform: 'D-PLAT', buyerPlatform: 'D-PLAT' }).doc), 403, 'IES_ERR_TENANT_FORBIDDEN'],
    ['POST /v1/statements/{id}/transitions', await signed(`/v1/statements/${encodeURIComponent(statementId)}/transitions`, 'X', { status: 'DISPUTED', reason: 'x' }), 403, 'IES_ERR_STATEMENT_ROLE_FORBIDDEN'],
    ['POST /v1/registry', await signed('/v1/registry', 'X', `discom: ${D}\nparticipants:\n  - id: INTRUDER\n    role: DISCOM\n    name: x\n`, { contentType: 'application/yaml' }), 401, 'IES_ERR_SIGNATURE_INVALID'],
  ];
  for (const [route, res, status, code] of writes) {
    assert.deepEqual(codeOf(res), [status, code], `${route} as the peer DISCOM: ${res.body.slice(0, 300)}`);
    assert.match(String(res.headers['content-type']), /^application\/problem\+json/, route);
  }
  assert.equal(h.registry.participant(D, 'INTRUDER'), undefined);
  assert.equal((await call('GET', '/v1/dr/events/EV-PDD', 'D-DESK')).statusCode, 404, 'no DR event was created');
  assert.equal((await store.history(D, statementId)).length, moves, 'the statement did not move');

  // Bearer reads and bearer writes: refused for a PEER_DISCOM token, as before.
  const reads: [string, 'GET' | 'POST' | 'PUT', string, Json?][] = [
    ['whoami', 'GET', '/v1/whoami'],
    ['statements', 'GET', `/v1/statements?day=${DAY}`],
    ['statement', 'GET', `/v1/statements/${encodeURIComponent(statementId)}`],
    ['statement history', 'GET', `/v1/statements/${encodeURIComponent(statementId)}/history`],
    ['statement run', 'POST', '/v1/statements/runs', { day: DAY }],
    ['trade', 'GET', `/v1/p2p/trades/${encodeURIComponent(trade.tradeId)}`],
    ['checkpoint', 'GET', '/v1/log/checkpoint'],
    ['webhook', 'PUT', '/v1/dr/webhook', { url: 'https://peer.example/ies' }],
  ];
  for (const [name, method, url, body] of reads) assert.deepEqual(codeOf(await call(method, url, 'X', body)), [403, 'IES_ERR_ROLE_FORBIDDEN'], name);
});

test('a dispute signed by a revoked PEER_DISCOM key is refused; the rotated key reads the dispute', async () => {
  const rotated = await h.applyRegistry(registryDoc([{ key: keys.X!, status: 'REVOKED' }, { key: keys['X-NEXT']! }]));
  assert.equal(rotated.statusCode, 200, rotated.body);
  const before = (await call('GET', `/v1/disputes?day=${DAY}`, 'D-DESK')).json().disputes.length as number;
  const claim = { ...dispute(towardsX()), reason: 'raised again with the old key' };
  assert.deepEqual(codeOf(await signed('/v1/disputes', 'X', claim)), [401, 'IES_ERR_KEY_REVOKED']);
  assert.deepEqual(codeOf(await call('GET', `/v1/disputes/${disputeId}`, 'X')), [401, 'IES_ERR_KEY_REVOKED']);
  assert.equal((await call('GET', `/v1/disputes?day=${DAY}`, 'D-DESK')).json().disputes.length, before, 'nothing recorded');
  // The participant's new key: still X, still the raiser.
  assert.equal((await call('GET', `/v1/disputes/${disputeId}`, 'X-NEXT')).json().dispute.raisedBy.participantId, X);
});

test('a peer DISCOM trading with two DISCOMs of this node registers its one key with both; each registration acts for its tenant alone', async () => {
  const peerIn = (discom: string, status?: 'REVOKED') => [`discom: ${discom}`, 'participants:', `  - id: ${X}\n    role: PEER_DISCOM\n    name: ${X}, a DISCOM on another node\n    keys:\n      - ${JSON.stringify({ ...keys['X-NEXT']!.publicJwk, ...(status ? { status } : {}) })}`, ''].join('\n');
  // The same key as anything but the same peer DISCOM's PEER_DISCOM: refused, as a key belongs to one participant.
  const asPlatform = await h.applyRegistry([`discom: ${D2}`, 'participants:', `  - id: P2-PLAT\n    role: PLATFORM\n    name: a platform\n    keys:\n      - ${JSON.stringify(keys['X-NEXT']!.publicJwk)}`, ''].join('\n'));
  assert.deepEqual([asPlatform.statusCode, asPlatform.json().code], [400, 'IES_ERR_REGISTRY_INVALID'], asPlatform.body);
  assert.match(asPlatform.json().detail as string, /only a peer DISCOM's settlement key/);
  assert.equal(h.registry.participant(D2, 'P2-PLAT'), undefined);
  // As D2's PEER_DISCOM X, with the same JWK: accepted; D's registration is untouched.
  const shared = await h.applyRegistry(peerIn(D2));
  assert.equal(shared.statusCode, 200, shared.body);
  assert.deepEqual(h.registry.keyHolders(keys['X-NEXT']!.kid).map((k) => [k.discomId, k.participantId, k.status]), [[D, X, 'ACTIVE'], [D2, X, 'ACTIVE']].sort());

  // A bearer token must name the tenant it acts for; then it reads X's dispute in D.
  const ambiguous = await call('GET', `/v1/disputes/${disputeId}`, 'X-NEXT');
  assert.deepEqual(codeOf(ambiguous), [401, 'IES_ERR_TOKEN_INVALID']);
  assert.match(ambiguous.json().detail as string, /name the one it acts for/);
  assert.equal((await call('GET', `/v1/disputes/${disputeId}`, 'X-NEXT', undefined, D)).json().dispute.disputeId, disputeId);
  // A signed write bound to D2 is X acting as D2's PEER_DISCOM: authenticated there (D2 has no such statement).
  const inD2 = await signed('/v1/disputes', 'X-NEXT', dispute(towardsX(), `${D2}:${DAY}:INITIAL`), { tenant: D2 });
  assert.deepEqual([inD2.statusCode, inD2.json().code, inD2.json().detail], [422, 'IES_ERR_DISPUTE_INVALID', `no statement ${D2}:${DAY}:INITIAL on this node`]);

  // Revoked by D2 alone: refused for D2, still X's key for D.
  assert.equal((await h.applyRegistry(peerIn(D2, 'REVOKED'))).statusCode, 200);
  assert.deepEqual(codeOf(await signed('/v1/disputes', 'X-NEXT', dispute(towardsX(), `${D2}:${DAY}:INITIAL`), { tenant: D2 })), [401, 'IES_ERR_KEY_REVOKED']);
  assert.deepEqual(codeOf(await call('GET', `/v1/disputes/${disputeId}`, 'X-NEXT', undefined, D2)), [401, 'IES_ERR_KEY_REVOKED']);
  assert.equal((await call('GET', `/v1/disputes/${disputeId}`, 'X-NEXT', undefined, D)).statusCode, 200);
  const again = await signed('/v1/disputes', 'X-NEXT', dispute(towardsX()));
  assert.deepEqual([again.statusCode, again.json().disputeId], [201, disputeId], 'X still disputes D\'s statement with the key D holds');
});
