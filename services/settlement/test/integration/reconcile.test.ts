// P2P reconciliation end to end against the local stack: trades seeded through the real
// P2pStore, 15-minute reads in ClickHouse `reads` (a throw-away database), the settlement
// service (sweep, signed side exchange over p2p-sides.v1, finals to p2p-allocations.v1 and
// ClickHouse) for two DISCOMs hosted on one node.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createClickHouse, sql } from '@ies/clickhouse';
import { createLogger } from '@ies/observability';
import { createRedis } from '@ies/redis';
import { eventually, nullStream, stackConfig, uniqueTenant } from '@ies/testing';
import { TOPICS, topicName } from '@ies/contracts';
import { Ed25519KeyFile } from '@ies/crypto';
import { ACKS_ALL, AvroSerde, createIdempotentProducer, createKafka, provisionTenants } from '@ies/kafka';
import { startSettlementService } from '../../src/index.js';
import { publishedSettlementKeys } from '../../src/settlement-keys.js';
import { signSide, verifySide } from '../../src/side-signature.js';
import { transitionTrade } from '../../src/domain/trade-lifecycle.js';
import type { FinalAllocation } from '../../src/domain/final-allocation.js';
import type { NormalisedTrade } from '../../src/domain/trade.js';
import type { SideMessage } from '../../src/side-exchange.js';
import { fakeReceipt } from './support.js';

const DAY_MS = 86_400_000;
const HOUR_MS = 3_600_000;
const BLOCK_MS = 900_000;
const A = uniqueTenant('PA');
const B = uniqueTenant('PB');
const database = `it_p2p_${randomBytes(4).toString('hex')}`;
const env = {
  IES_TENANTS: `${A},${B}`,
  IES_CLICKHOUSE_DATABASE: database,
  IES_SETTLEMENT_KEYS_DIR: mkdtempSync(path.join(tmpdir(), 'ies-settlement-')),
  IES_SETTLEMENT_RECONCILE_GRACE_MS: '0',
  IES_SETTLEMENT_RECONCILE_INTERVAL_MS: '3600000',
  IES_NODE_ID: `it-${randomBytes(4).toString('hex')}`,
};
// The test provisions the tenants and plays peers and auditors as the Kafka admin; the
// settlement service runs as its own Kafka user.
const config = stackConfig(env, 'admin');
const ch = createClickHouse(config);
const redis = createRedis(config);
let service: Awaited<ReturnType<typeof startSettlementService>>;

// 10:00 IST two days ago: a delivery window that has ended.
const DAY_START = (Math.floor((Date.now() + 330 * 60_000) / DAY_MS) - 2) * DAY_MS - 330 * 60_000;
const DAY = new Date(DAY_START + 330 * 60_000).toISOString().slice(0, 10);
const slot = (h: number) => DAY_START + (10 + h) * HOUR_MS;

function trade(id: string, seller: [string, string], buyer: [string, string], intervals: [number, number][]): NormalisedTrade {
  return {
    tradeId: `TX-${id}/C-1`, transactionId: `TX-${id}`, commitmentId: 'C-1', contractId: null,
    seller: { meterId: seller[0], discomId: seller[1], platformId: 'PLAT-SELL' },
    buyer: { meterId: buyer[0], discomId: buyer[1], platformId: 'PLAT-BUY' },
    intervals: intervals.map(([h, wh]) => ({ startMs: slot(h), endMs: slot(h) + HOUR_MS, quantityWh: wh, pricePaisePerKwh: 600 })),
    intent: 'CONFIRM', source: { action: 'confirm', messageId: null, timestamp: null },
  };
}

const RUN = randomBytes(3).toString('hex');
const T = {
  pro1: trade(`${RUN}-PRO-1`, ['S1', A], ['B1', A], [[0, 4000]]),
  pro2: trade(`${RUN}-PRO-2`, ['S1', A], ['B2', A], [[0, 3000]]),
  pro3: trade(`${RUN}-PRO-3`, ['S1', A], ['B3', A], [[0, 3000]]),
  underConsumed: trade(`${RUN}-UC`, ['S2', A], ['B4', A], [[1, 5000]]),
  inter: trade(`${RUN}-INTER`, ['S3', A], ['BX', B], [[2, 3000]]),
  cancelled: trade(`${RUN}-CANCEL`, ['S4', A], ['B5', A], [[3, 1000]]),
  late: trade(`${RUN}-LATE`, ['S5', A], ['B6', A], [[4, 2000]]),
};

interface Row { discom: string; meter: string; channel: 'IMPORT' | 'EXPORT'; hour: number; wh: readonly number[]; batch: string; received?: number }
async function insertReads(rows: readonly Row[]): Promise<void> {
  const values = rows.flatMap((r) => r.wh.map((wh, b) => ({ discom_id: r.discom, meter_id: r.meter, block_start: (slot(r.hour) + b * BLOCK_MS) / 1000, channel: r.channel, wh, validation_status: 'VALID', source: 'HES', batch_id: r.batch, index_in_batch: b, head_end_id: 'HES-1', received_at_ms: r.received ?? 1_000 })).filter((v) => v.wh >= 0));
  await ch.insert({ table: 'reads', values, format: 'JSONEachRow' });
}

const CHECKPOINT = { origin: `ies.local/it/${A}`, size: 42, rootHash: Buffer.alloc(32, 7).toString('base64') };
/** Every batch here is notarised (a side is signed only once all its reads are). */
const notarise = (discom: string, ...batches: string[]) => Promise.all(batches.map((b) => fakeReceipt(redis, discom, b, { ...CHECKPOINT, origin: `ies.local/it/${discom}` })));

const finalOf = (discom: string, t: NormalisedTrade) => service.store.getFinal(discom, t.tradeId);
const wh = (f: FinalAllocation | undefined) => f?.intervals.map((iv) => [iv.contractedWh, iv.sellerWh, iv.buyerWh, iv.finalWh]);

before(async () => {
  await provisionTenants(config, [A, B], { error() {}, warn() {}, info() {}, debug() {} });
  service = await startSettlementService({ ...process.env, ...env, IES_LOG_LEVEL: 'silent' }, { sweepOnStart: false, logger: createLogger({ name: 'it', level: 'silent' }, nullStream()) });
  for (const t of Object.values(T)) {
    for (const d of new Set([t.seller.discomId, t.buyer.discomId])) await service.store.confirm(d, t, 'PLAT-SELL', Date.now());
  }
  await service.store.update(A, T.cancelled.tradeId, (r) => transitionTrade(r, 'CANCELLED'), 'PLAT-SELL', Date.now(), 'cancelled');
  await insertReads([
    // One seller meter, three trades of 4000/3000/3000 Wh, 7001 Wh exported: pro rata 2801/2100/2100.
    { discom: A, meter: 'S1', channel: 'EXPORT', hour: 0, wh: [1750, 1750, 1750, 1751], batch: 'B-S1' },
    // A revision of one block that is superseded by the later version (the latest counts).
    { discom: A, meter: 'S1', channel: 'EXPORT', hour: 0, wh: [9999], batch: 'B-S1-OLD', received: 500 },
    ...['B1', 'B2', 'B3'].map((m) => ({ discom: A, meter: m, channel: 'IMPORT' as const, hour: 0, wh: [2000, 2000, 2000, 2000], batch: 'B-BUY' })),
    // Buyer under-consumption: 6000 Wh exported, 1200 Wh drawn.
    { discom: A, meter: 'S2', channel: 'EXPORT', hour: 1, wh: [1500, 1500, 1500, 1500], batch: 'B-S2' },
    { discom: A, meter: 'B4', channel: 'IMPORT', hour: 1, wh: [300, 300, 300, 300], batch: 'B-B4' },
    // Inter-DISCOM: seller side 2500 (A's meter), buyer side 2800 (B's meter).
    { discom: A, meter: 'S3', channel: 'EXPORT', hour: 2, wh: [625, 625, 625, 625], batch: 'B-S3' },
    { discom: B, meter: 'BX', channel: 'IMPORT', hour: 2, wh: [700, 700, 700, 700], batch: 'B-BX' },
    // The cancelled trade's meters delivered anyway.
    { discom: A, meter: 'S4', channel: 'EXPORT', hour: 3, wh: [500, 500, 500, 500], batch: 'B-S4' },
    { discom: A, meter: 'B5', channel: 'IMPORT', hour: 3, wh: [500, 500, 500, 500], batch: 'B-B5' },
    // Late read: the last block of S5 is missing at first.
    { discom: A, meter: 'S5', channel: 'EXPORT', hour: 4, wh: [500, 500, 500, -1], batch: 'B-S5' },
    { discom: A, meter: 'B6', channel: 'IMPORT', hour: 4, wh: [600, 600, 600, 600], batch: 'B-B6' },
  ]);
  await notarise(A, 'B-S1', 'B-S1-OLD', 'B-BUY', 'B-S2', 'B-B4', 'B-S3', 'B-S4', 'B-B5', 'B-S5', 'B-B6');
  await notarise(B, 'B-BX');
  await service.sweep();
  await eventually(async () => ((await finalOf(A, T.inter)) && (await finalOf(B, T.inter)) ? true : undefined), 30_000, 'inter-DISCOM finals on both sides');
});

after(async () => {
  await service?.stop();
  await ch.command({ query: `DROP DATABASE IF EXISTS ${database}` });
  await ch.close();
  redis.disconnect();
});

test('several trades on one seller meter share its export pro rata (seller under-delivery)', async () => {
  assert.deepEqual(wh(await finalOf(A, T.pro1)), [[4000, 2801, 4000, 2801]]);
  assert.deepEqual(wh(await finalOf(A, T.pro2)), [[3000, 2100, 3000, 2100]]);
  assert.deepEqual(wh(await finalOf(A, T.pro3)), [[3000, 2100, 3000, 2100]]);
  const f = (await finalOf(A, T.pro1))!;
  assert.equal(f.status, 'COMPLETED');
  assert.equal(f.intervals[0]!.sellerShortfallWh, 1199);
  assert.equal(f.intervals[0]!.deviationWh, 1199);
  assert.deepEqual(f.evidence, [CHECKPOINT], 'the checkpoint of the notary receipt covering the seller reads');
  assert.equal((await service.store.getTrade(A, T.pro1.tradeId))?.state, 'ALLOCATED');
});

test('buyer under-consumption: the final is the buyer side', async () => {
  const f = (await finalOf(A, T.underConsumed))!;
  assert.deepEqual(wh(f), [[5000, 5000, 1200, 1200]]);
  assert.equal(f.intervals[0]!.buyerShortfallWh, 3800);
  assert.equal(f.intervals[0]!.sellerShortfallWh, 0);
});

test('inter-DISCOM: each DISCOM signs its own side, both hold the same final = min of the sides', async () => {
  const [a, b] = [(await service.store.getFinalRecord(A, T.inter.tradeId))!, (await service.store.getFinalRecord(B, T.inter.tradeId))!];
  assert.deepEqual(a.final, b.final);
  assert.deepEqual(wh(a.final), [[3000, 2500, 2800, 2500]]);
  assert.deepEqual([a.final.sellerDiscomId, a.final.buyerDiscomId], [A, B]);
  // Each side is a JWS by its own DISCOM's settlement key, checkable with the published keys alone.
  const seller = await verifySide(a.sellerJws, (await publishedSettlementKeys(redis, A))!);
  const buyer = await verifySide(a.buyerJws, (await publishedSettlementKeys(redis, B))!);
  assert.deepEqual([seller.discomId, seller.side, buyer.discomId, buyer.side], [A, 'SELLER', B, 'BUYER']);
  await assert.rejects(verifySide(a.sellerJws, (await publishedSettlementKeys(redis, B))!), { code: 'IES_ERR_P2P_SIDE_UNTRUSTED' });
  // B never saw A's meter data: B holds A's side only as A signed it.
  assert.equal((await service.store.getSide(B, T.inter.tradeId, 'SELLER'))?.origin, 'PEER');
  assert.equal((await service.store.getSide(B, T.inter.tradeId, 'BUYER'))?.origin, 'OWN');
});

test('a side signed by a key the sender DISCOM never published is refused and dead-lettered at the receiver, the held final untouched', async () => {
  const held = (await service.store.getFinalRecord(B, T.inter.tradeId))!;
  const own = (await service.store.getSide(A, T.inter.tradeId, 'SELLER'))!.allocation;
  const forged = await signSide({ ...own, version: own.version + 1 }, await new Ed25519KeyFile(mkdtempSync(path.join(tmpdir(), 'ies-forger-')), A).current());
  const kafka = createKafka(config, { error() {}, warn() {}, info() {}, debug() {} });
  const serde = new AvroSerde({ registryUrl: config.registry.url });
  const producer = createIdempotentProducer(kafka);
  await producer.connect();
  try {
    const message: SideMessage = { tradeId: T.inter.tradeId, fromDiscomId: A, toDiscomId: B, side: 'SELLER', version: own.version + 1, jws: forged, sentAt: Date.now() };
    const [meta] = await producer.send({ topic: topicName(B, TOPICS.p2pSides), acks: ACKS_ALL, messages: [{ key: T.inter.tradeId, value: await serde.encode(B, TOPICS.p2pSides, message) }] });
    const sourceId = `${topicName(B, TOPICS.p2pSides)}/${meta!.partition}/${meta!.baseOffset}`;
    const consumer = kafka.consumer({ groupId: `it-dl-${randomBytes(4).toString('hex')}` });
    await consumer.connect();
    await consumer.subscribe({ topic: topicName(B, TOPICS.deadLetter), fromBeginning: true });
    const letters: { sourceId: string; stage: string; code: string; context: Record<string, string> }[] = [];
    await consumer.run({ eachMessage: async ({ message: m }) => void letters.push(await serde.decode(m.value as Buffer)) });
    try {
      const letter = await eventually(async () => letters.find((l) => l.sourceId === sourceId), 30_000, 'the dead letter of the forged side');
      assert.deepEqual([letter.stage, letter.code, letter.context['tradeId']], ['settlement-sides', 'IES_ERR_P2P_SIDE_UNTRUSTED', T.inter.tradeId]);
    } finally {
      await consumer.disconnect();
    }
  } finally {
    await producer.disconnect();
  }
  assert.deepEqual((await service.store.getFinalRecord(B, T.inter.tradeId))!.version, held.version);
  assert.equal((await service.store.getSide(B, T.inter.tradeId, 'SELLER'))!.allocation.version, own.version);
});

test('a cancelled trade is listed for its day but gets no side and no final', async () => {
  const day = await service.store.tradesForDay(A, DAY);
  assert.deepEqual(day.map((r) => r.trade.tradeId), Object.values(T).map((t) => t.tradeId).sort());
  assert.equal(day.find((r) => r.trade.tradeId === T.cancelled.tradeId)?.state, 'CANCELLED');
  assert.equal(await service.store.getSide(A, T.cancelled.tradeId, 'SELLER'), undefined);
  const finals = await service.store.finalsForDay(A, DAY);
  assert.ok(!finals.some((f) => f.tradeId === T.cancelled.tradeId));
  assert.deepEqual(finals.map((f) => f.tradeId), Object.values(T).filter((t) => t !== T.cancelled).map((t) => t.tradeId).sort());
  assert.deepEqual((await service.store.finalsForDay(B, DAY)).map((f) => f.tradeId), [T.inter.tradeId]);
});

test('a late read reopens the trade: a new side version and final version 2; unchanged trades keep version 1', async () => {
  const v1 = (await service.store.getFinalRecord(A, T.late.tradeId))!;
  assert.equal(v1.version, 1);
  assert.equal(v1.final.status, 'INCOMPLETE');
  assert.deepEqual(wh(v1.final), [[2000, 1500, 2000, 1500]]);

  // Nothing changed since the last sweep: no meter's reads are loaded again.
  assert.equal((await service.reconciler.sweep(A)).metersLoaded, 0);
  await insertReads([{ discom: A, meter: 'S5', channel: 'EXPORT', hour: 4, wh: [-1, -1, -1, 450], batch: 'B-S5-LATE', received: 2_000 }]);
  await service.sweep();
  assert.equal((await service.store.getFinalRecord(A, T.late.tradeId))!.version, 1, 'the late read is not notarised yet: the side waits');
  await notarise(A, 'B-S5-LATE');
  assert.equal((await service.reconciler.sweep(A)).metersLoaded, 1, 'only the meter with the late read');
  const v2 = (await service.store.getFinalRecord(A, T.late.tradeId))!;
  assert.equal(v2.version, 2);
  assert.equal(v2.final.status, 'COMPLETED');
  assert.equal(v2.final.sellerVersion, 2);
  assert.deepEqual(wh(v2.final), [[2000, 1950, 2000, 1950]]);
  assert.equal((await service.store.getFinalRecord(A, T.pro1.tradeId))?.version, 1, 'no figure changed');

  // Both versions stay queryable in ClickHouse; Kafka and ClickHouse got every queued final.
  const rows = await (await ch.query({ query: sql`SELECT version, status, final_wh FROM p2p_allocations FINAL WHERE discom_id = ${A} AND trade_id = ${T.late.tradeId} ORDER BY version`, format: 'JSONEachRow' })).json<{ version: number; status: string; final_wh: string }>();
  assert.deepEqual(rows.map((r) => [Number(r.version), r.status, Number(r.final_wh)]), [[1, 'INCOMPLETE', 1500], [2, 'COMPLETED', 1950]]);
  assert.equal(await redis.xlen(`ies:${A}:p2p:outbox:finals`), 0);
});

test('trade changes reach ClickHouse p2p_trades through p2p-trades.v1, every revision', async () => {
  const rows = await eventually(async () => {
    const r = await (await ch.query({ query: sql`SELECT revision, state FROM p2p_trades FINAL WHERE discom_id = ${A} AND trade_id = ${T.cancelled.tradeId} ORDER BY revision`, format: 'JSONEachRow' })).json<{ revision: number; state: string }>();
    return r.length === 2 ? r : undefined;
  }, 30_000, 'p2p_trades rows');
  assert.deepEqual(rows.map((r) => [Number(r.revision), r.state]), [[0, 'CONFIRMED'], [1, 'CANCELLED']]);
});
