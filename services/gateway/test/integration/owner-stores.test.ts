// After Redis loses a tenant, a replayed DR write must not be recorded a second time: the
// gateway's write ledger is not rebuilt for DR writes, so the replay is claimed anew and does
// its work against the DR store, which must therefore be whole first. The front door refuses
// (503) until the store's owner has rebuilt it from dr-events.v1.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { TOPICS, topicName } from '@ies/contracts';
import { generateSigningKey, signDetached, type KeyPair } from '@ies/crypto';
import { replayTopic } from '@ies/kafka';
import { eventually } from '@ies/testing';
import { registryYaml, startHarness, type Json } from './harness.js';

const DAY_MS = 86_400_000;
const IST_MS = 330 * 60_000;
let h: Awaited<ReturnType<typeof startHarness>>;
let tenant: string;
let desk: KeyPair;

before(async () => {
  h = await startHarness(1);
  [tenant] = h.tenants as [string];
  desk = await generateSigningKey('EdDSA');
  const agg = await generateSigningKey('EdDSA');
  assert.equal((await h.applyRegistry(registryYaml(tenant, { id: 'HES-1', keys: [await generateSigningKey('EdDSA')] }, [{ id: 'M-1' }]))).statusCode, 200);
  const yaml = `discom: ${tenant}\nparticipants:\n  - id: AGG-1\n    role: AGGREGATOR\n    name: aggregator\n    keys:\n      - ${JSON.stringify(agg.publicJwk)}\n  - id: DR-DESK\n    role: DISCOM\n    name: DR desk\n    keys:\n      - ${JSON.stringify(desk.publicJwk)}\nenrolments:\n  - { aggregator: AGG-1, programme: PEAK, meters: [M-1] }\n`;
  const res = await h.applyRegistry(yaml);
  assert.equal(res.statusCode, 200, res.body);
});
after(async () => {
  await h.close();
});

/** Drops every Redis key of the tenant in one command (never FLUSHALL the shared Redis). */
async function loseTenant(): Promise<number> {
  const keys = await h.scanKeys(`ies:${tenant}:*`);
  return keys.length === 0 ? 0 : h.redis.del(...keys);
}

test('a DR create replayed after a Redis loss waits for the DR store rebuild and is on dr-events.v1 once', async () => {
  const tomorrowIst = Math.floor((Date.now() + IST_MS) / DAY_MS) * DAY_MS + DAY_MS - IST_MS;
  const start = tomorrowIst + 18 * 3_600_000;
  const eventId = `EV-${randomUUID()}`;
  const body = Buffer.from(JSON.stringify({
    eventId, programmeId: 'PEAK', aggregatorId: 'AGG-1', window: { start, end: start + 3_600_000 }, participatingMeters: ['M-1'], methodology: 'deg-5of10@1',
    intervals: [0, 1, 2, 3].map(() => ({ requestedWh: 1000, pricePaisePerKwh: 500, shortfallPenaltyPaisePerKwh: 100 })),
  }));
  const jti = `DR-${randomUUID()}`;
  const post = async () => {
    const signature = await signDetached(body, desk, { iat: Math.floor(Date.now() / 1000), jti, htm: 'POST', htu: '/v1/dr/events', tenant });
    return h.app.inject({ method: 'POST', url: '/v1/dr/events', headers: { 'content-type': 'application/json', 'x-ies-signature': signature }, payload: body });
  };
  assert.equal((await post()).statusCode, 201);
  assert.ok((await loseTenant()) > 0);

  // The gateway's keeper makes the write ledger whole again within a second or two here, but
  // the DR store's owner has not rebuilt yet: the replay is refused, nothing is written.
  await eventually(async () => ((await h.deps.idempotency.ledgerWhole(tenant)) ? true : undefined), 30_000, 'the write ledger whole again');
  const refused = await eventually(async () => {
    const res = await post();
    return res.statusCode === 503 && (res.json() as Json).detail?.includes('DR event store') ? res : undefined;
  }, 20_000, 'a 503 naming the DR event store');
  assert.equal(refused.headers['retry-after'], '2');
  assert.equal((refused.json() as Json).code, 'IES_ERR_DEPENDENCY_UNAVAILABLE');

  await h.ownersRebuildStores();
  const replay = await post();
  assert.equal(replay.statusCode, 200, replay.body);
  assert.equal((replay.json() as Json).eventId, eventId);

  const admin = h.kafka.admin();
  await admin.connect();
  try {
    const created: Json[] = [];
    await replayTopic({ kafka: h.kafka, admin, topic: topicName(tenant, TOPICS.drEvents), groupId: `${tenant}-it-owner-stores` }, async (r) => {
      const t = await h.serde.decode<Json>(r.value);
      if (t.eventId === eventId && t.previousState === null) created.push(t);
    });
    assert.equal(created.length, 1, 'the event was created once on dr-events.v1');
  } finally {
    await admin.disconnect();
  }
});
