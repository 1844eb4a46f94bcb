// The DR event store comes back from dr-events.v1 when Redis loses the tenant's state: the
// DR service (the store's owner) rebuilds it on start and on its sweep tick, and the records
// answer exactly as before, histories and versions included.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { AvroSerde, createIdempotentProducer, createKafka, provisionTenants } from '@ies/kafka';
import { createLogger } from '@ies/observability';
import { createRedis, type Redis } from '@ies/redis';
import { eventually, nullStream, stackConfig, uniqueTenant } from '@ies/testing';
import type { Producer } from 'kafkajs';
import { normaliseDrEvent } from '../../src/domain/event.js';
import { DrEventStore, drEventIndex, drEventIndexMarker, type DrEventRecord } from '../../src/event-store.js';
import { drStoreMarker } from '../../src/event-store-rebuild.js';
import { startDrService } from '../../src/main.js';

const tenant = uniqueTenant('DRRB');
const dir = mkdtempSync(path.join(tmpdir(), 'ies-dr-rebuild-'));
const settings = {
  IES_TENANTS: tenant, IES_CLICKHOUSE_DATABASE: `it_drrb_${randomBytes(4).toString('hex')}`, IES_WEBHOOK_KEY_FILE: path.join(dir, 'webhook.jwk.json'),
  IES_DR_SWEEP_INTERVAL_MS: '500', IES_LOG_LEVEL: 'warn',
  // No MQTT broker: this test is about the store, and a fixed port could be taken by another run.
  IES_OPENADR_MQTT_PORT: '0',
};
const env = { ...process.env, ...settings };
const logger = createLogger({ name: 'it', level: 'silent' }, nullStream());
const COUNT = 120; // events; each has one to three transitions
const DAY = Date.UTC(2026, 5, 10, 8, 30); // 14:00 IST, on a 15-minute boundary
let redis: Redis;
let producer: Producer;
let store: DrEventStore;
const ids: string[] = [];

function event(i: number) {
  const start = DAY + (i % 8) * 3_600_000;
  return normaliseDrEvent({
    eventId: `EV-${i}`, programmeId: 'P-1', aggregatorId: 'AGG-1', window: { start, end: start + 1_800_000 },
    intervals: [0, 1].map(() => ({ requestedWh: 1000 + i, pricePaisePerKwh: 500, shortfallPenaltyPaisePerKwh: 100 })),
    participatingMeters: [`M-${i}`], methodology: 'deg-5of10@1',
  });
}

/** Loses the tenant's Redis state only (never FLUSHALL the shared Redis). */
async function loseTenantState(): Promise<number> {
  // Collected first and deleted in one command: a running service never sees half a loss.
  const keys: string[] = [];
  let cursor = '0';
  do {
    const [next, found] = await redis.scan(cursor, 'MATCH', `ies:${tenant}:*`, 'COUNT', 1000);
    cursor = next;
    keys.push(...found);
  } while (cursor !== '0');
  return keys.length === 0 ? 0 : redis.del(...keys);
}

async function snapshot(): Promise<Map<string, DrEventRecord | undefined>> {
  return new Map(await Promise.all(ids.map(async (id) => [id, await store.get(tenant, id)] as const)));
}

before(async () => {
  const config = stackConfig(settings, 'dr');
  await provisionTenants(stackConfig(settings, 'admin'), [tenant], logger);
  redis = createRedis(config);
  producer = createIdempotentProducer(createKafka(config, logger));
  await producer.connect();
  store = new DrEventStore(redis, producer, new AvroSerde({ registryUrl: config.registry.url }));
  // Kept out of ACTIVE, so the baseline worker leaves them be and the records stay as written:
  // DRAFT; DRAFT → CANCELLED; DRAFT → ACTIVE → CANCELLED.
  for (let i = 0; i < COUNT; i++) {
    const e = event(i);
    ids.push(e.eventId);
    await store.create(tenant, e, 'desk', DAY - 86_400_000 + i, i % 5 === 0 ? 'ordered by the desk' : null);
    if (i % 3 >= 1) {
      if (i % 3 === 2) await store.transition(tenant, e.eventId, 'ACTIVE', 'AGG-1', DAY - 80_000_000 + i);
      await store.transition(tenant, e.eventId, 'CANCELLED', 'desk', DAY - 70_000_000 + i, `cancelled ${i}`);
    }
  }
});

after(async () => {
  await producer.disconnect();
  redis.disconnect();
});

test('the DR service rebuilds an emptied store from dr-events.v1 on start; lifecycle goes on from there', async () => {
  const before = await snapshot();
  const day = await store.eventsOnDay(tenant, '2026-06-10');
  assert.equal(day.length, COUNT);
  assert.ok((await loseTenantState()) >= COUNT);
  assert.equal(await store.get(tenant, 'EV-0'), undefined, 'the state is gone');

  const service = await startDrService(env);
  try {
    assert.deepEqual(await snapshot(), before, 'every record, state, version and history as before');
    assert.deepEqual(await store.eventsOnDay(tenant, '2026-06-10'), day);
    assert.ok(await redis.exists(drStoreMarker(tenant)));

    // A rebuild over a whole store changes nothing.
    const again = await service.rebuilder.rebuild(tenant);
    assert.equal(again.restored, 0);
    assert.deepEqual(await snapshot(), before);

    // The lifecycle goes on from the rebuilt versions (EV-3 is a DRAFT at version 1).
    const moved = await store.transition(tenant, 'EV-3', 'CANCELLED', 'desk', DAY, 'after the rebuild');
    assert.equal(moved.version, 2);
    assert.deepEqual(moved.history.map((h) => h.state), ['DRAFT', 'CANCELLED']);
    await assert.rejects(store.transition(tenant, 'EV-1', 'ACTIVE', 'AGG-1', DAY), { code: 'IES_ERR_DR_TRANSITION_INVALID' });
    const now = await snapshot();

    // Lost again while the service runs: its tick finds the marker gone and rebuilds.
    await loseTenantState();
    await eventually(async () => ((await redis.exists(drStoreMarker(tenant))) === 1 ? true : undefined), 30_000, 'the rebuild on the sweep tick');
    assert.deepEqual(await snapshot(), now, 'the post-rebuild transition is rebuilt too');

    // Recovery time for this size (printed, not asserted).
    await loseTenantState();
    const report = await service.rebuilder.rebuild(tenant);
    assert.equal(report.events, COUNT);
    assert.equal(report.restored, COUNT);
    console.log(`DR store rebuild: ${report.events} events, ${report.transitions} transitions from dr-events.v1 in ${report.ms} ms`);
    assert.deepEqual(await snapshot(), now);
  } finally {
    await service.stop();
  }
});

test('listing events reads the tenant\'s index: records from before it are indexed by one SCAN, later lists scan nothing', async () => {
  let scans = 0;
  // The same Redis connection, with its SCANs counted.
  const counted = new Proxy(redis, {
    get(target, name) {
      if (name === 'scan') return (...args: Parameters<Redis['scan']>) => (scans++, target.scan(...args));
      const value = Reflect.get(target, name) as unknown;
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
  const listing = new DrEventStore(counted, producer, new AvroSerde({ registryUrl: stackConfig(settings, 'dr').registry.url }));
  const expected = (await store.list(tenant)).map((r) => r.eventId);
  assert.ok(expected.length >= COUNT);

  // As a store written before the index existed: records, no index, no marker.
  await redis.del(drEventIndex(tenant), drEventIndexMarker(tenant));
  assert.deepEqual((await listing.list(tenant)).map((r) => r.eventId), expected);
  assert.ok(scans > 0, 'the first listing indexed the older records');
  assert.equal(await redis.scard(drEventIndex(tenant)), expected.length);
  assert.equal(await redis.exists(drEventIndexMarker(tenant)), 1);

  scans = 0;
  const created = event(COUNT + 1);
  await listing.create(tenant, created, 'desk', DAY);
  const after = (await listing.list(tenant)).map((r) => r.eventId);
  assert.deepEqual(after, [...expected, created.eventId].sort());
  assert.equal((await listing.eventsOnDay(tenant, '2026-06-10')).length, after.length);
  assert.equal(scans, 0, 'an indexed tenant is listed without scanning the keyspace');
});
