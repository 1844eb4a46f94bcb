// The P2P store comes back from its topics when Redis loses a DISCOM's state: the settlement
// service (the store's owner) rebuilds trades from p2p-trades.v1, finals from
// p2p-allocations.v1 and the sides from the finals and p2p-sides.v1, and answers as before.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createClickHouse } from '@ies/clickhouse';
import { provisionTenants } from '@ies/kafka';
import { createLogger } from '@ies/observability';
import { createRedis } from '@ies/redis';
import { eventually, nullStream, stackConfig, uniqueTenant } from '@ies/testing';
import { startSettlementService } from '../../src/index.js';
import { transitionTrade } from '../../src/domain/trade-lifecycle.js';
import type { NormalisedTrade, Side } from '../../src/domain/trade.js';
import { p2pStoreMarker } from '../../src/p2p-store-rebuild.js';
import { fakeReceipt } from './support.js';

const DAY_MS = 86_400_000;
const HOUR_MS = 3_600_000;
const BLOCK_MS = 900_000;
const A = uniqueTenant('RA');
const B = uniqueTenant('RB');
const database = `it_p2prb_${randomBytes(4).toString('hex')}`;
const env = {
  ...process.env, IES_TENANTS: `${A},${B}`, IES_CLICKHOUSE_DATABASE: database, IES_SETTLEMENT_KEYS_DIR: mkdtempSync(path.join(tmpdir(), 'ies-settlement-rb-')),
  IES_SETTLEMENT_RECONCILE_GRACE_MS: '0', IES_SETTLEMENT_RECONCILE_INTERVAL_MS: '3600000', IES_NODE_ID: `it-${randomBytes(4).toString('hex')}`, IES_LOG_LEVEL: 'silent',
};
const config = stackConfig(env, 'admin');
const ch = createClickHouse(config);
const redis = createRedis(config);
const start = () => startSettlementService(env, { sweepOnStart: false, logger: createLogger({ name: 'it', level: 'silent' }, nullStream()) });
let service: Awaited<ReturnType<typeof start>>;

const DAY_START = (Math.floor((Date.now() + 330 * 60_000) / DAY_MS) - 2) * DAY_MS - 330 * 60_000;
const DAY = new Date(DAY_START + 330 * 60_000).toISOString().slice(0, 10);
const slot = (h: number) => DAY_START + (10 + h) * HOUR_MS;
const RUN = randomBytes(3).toString('hex');
const EXTRA = 60; // trades with no reads yet: confirmed, some curtailed or cancelled

function trade(id: string, seller: [string, string], buyer: [string, string], h: number, wh: number): NormalisedTrade {
  return {
    tradeId: `TX-${RUN}-${id}/C-1`, transactionId: `TX-${RUN}-${id}`, commitmentId: 'C-1', contractId: null,
    seller: { meterId: seller[0], discomId: seller[1], platformId: 'PLAT-SELL' }, buyer: { meterId: buyer[0], discomId: buyer[1], platformId: 'PLAT-BUY' },
    intervals: [{ startMs: slot(h), endMs: slot(h) + HOUR_MS, quantityWh: wh, pricePaisePerKwh: 600 }],
    intent: 'CONFIRM', source: { action: 'confirm', messageId: null, timestamp: null },
  };
}
const intra = trade('INTRA', ['S1', A], ['B1', A], 0, 4000);
const inter = trade('INTER', ['S3', A], ['BX', B], 2, 3000);
const extra = Array.from({ length: EXTRA }, (_, i) => trade(`X-${i}`, [`XS${i}`, A], [`XB${i}`, A], 5, 1000 + i));
const all = [intra, inter, ...extra];

async function insertReads(rows: { discom: string; meter: string; channel: 'IMPORT' | 'EXPORT'; hour: number; wh: number[]; batch: string }[]) {
  const values = rows.flatMap((r) => r.wh.map((wh, b) => ({ discom_id: r.discom, meter_id: r.meter, block_start: (slot(r.hour) + b * BLOCK_MS) / 1000, channel: r.channel, wh, validation_status: 'VALID', source: 'HES', batch_id: r.batch, index_in_batch: b, head_end_id: 'HES-1', received_at_ms: 1_000 })));
  await ch.insert({ table: 'reads', values, format: 'JSONEachRow' });
}
const CHECKPOINT = { size: 42, rootHash: Buffer.alloc(32, 7).toString('base64') };
const notarise = async () => {
  for (const b of ['B-S1', 'B-B1', 'B-S3']) await fakeReceipt(redis, A, b, { ...CHECKPOINT, origin: `ies.local/it/${A}` });
  await fakeReceipt(redis, B, 'B-BX', { ...CHECKPOINT, origin: `ies.local/it/${B}` });
};

/** Loses the DISCOMs' Redis state only (never FLUSHALL the shared Redis): keys collected first, deleted in one command. */
async function loseState(): Promise<void> {
  const keys: string[] = [];
  for (const d of [A, B]) {
    let cursor = '0';
    do {
      const [next, found] = await redis.scan(cursor, 'MATCH', `ies:${d}:*`, 'COUNT', 1000);
      cursor = next;
      keys.push(...found);
    } while (cursor !== '0');
  }
  if (keys.length > 0) await redis.del(...keys);
}

/** What the store answers for every trade of both DISCOMs (the time a side arrived is not on any topic: left out). */
async function snapshot() {
  const s = service.store;
  const out: Record<string, unknown> = {};
  for (const d of [A, B]) {
    out[`${d}/day`] = await s.tradesForDay(d, DAY);
    out[`${d}/finals`] = await s.finalsForDay(d, DAY);
    for (const t of all) {
      if (t !== inter && d === B) continue;
      const sides: Record<string, unknown> = {};
      for (const side of ['SELLER', 'BUYER'] as Side[]) {
        const held = await s.getSide(d, t.tradeId, side);
        sides[side] = held && { allocation: held.allocation, jws: held.jws, origin: held.origin };
      }
      out[`${d}/${t.tradeId}`] = { trade: await s.getTrade(d, t.tradeId), digest: await s.confirmedDigest(d, t.tradeId), final: await s.getFinalRecord(d, t.tradeId), sides };
    }
  }
  return out;
}

before(async () => {
  await provisionTenants(config, [A, B], { error() {}, warn() {}, info() {}, debug() {} });
  service = await start();
  for (const t of all) for (const d of new Set([t.seller.discomId, t.buyer.discomId])) await service.store.confirm(d, t, 'PLAT-SELL', Date.now());
  for (let i = 0; i < EXTRA; i += 3) await service.store.update(A, extra[i]!.tradeId, (r) => transitionTrade(r, i % 2 ? 'CANCELLED' : 'CURTAILED'), 'PLAT-SELL', Date.now(), `change ${i}`);
  await insertReads([
    { discom: A, meter: 'S1', channel: 'EXPORT', hour: 0, wh: [900, 900, 900, 900], batch: 'B-S1' },
    { discom: A, meter: 'B1', channel: 'IMPORT', hour: 0, wh: [1000, 1000, 1000, 1000], batch: 'B-B1' },
    { discom: A, meter: 'S3', channel: 'EXPORT', hour: 2, wh: [625, 625, 625, 625], batch: 'B-S3' },
    { discom: B, meter: 'BX', channel: 'IMPORT', hour: 2, wh: [700, 700, 700, 700], batch: 'B-BX' },
  ]);
  await notarise();
  await service.sweep();
  await eventually(async () => ((await service.store.getFinal(A, inter.tradeId)) && (await service.store.getFinal(B, inter.tradeId)) && (await service.store.getFinal(A, intra.tradeId)) ? true : undefined), 30_000, 'finals of the intra- and inter-DISCOM trades');
});

after(async () => {
  await service?.stop();
  await ch.command({ query: `DROP DATABASE IF EXISTS ${database}` });
  await ch.close();
  redis.disconnect();
});

test('settlement rebuilds emptied P2P stores from their topics on start; the lifecycle and the sweep go on from there', async () => {
  const before = await snapshot();
  assert.ok((before[`${A}/finals`] as unknown[]).length >= 2, 'finals to rebuild');
  await service.stop();
  await loseState();
  assert.equal(await redis.exists(`ies:${A}:p2p:trade:${intra.tradeId}`), 0, 'the state is gone');
  service = await start();
  assert.deepEqual(await snapshot(), before, 'trades, revisions, states, finals and sides as before');
  assert.equal(await redis.exists(p2pStoreMarker(A)), 1);

  // A rebuild over a whole store changes nothing.
  assert.equal((await service.rebuilder.rebuild(A)).restored, 0);
  assert.equal((await service.rebuilder.rebuild(B)).restored, 0);
  assert.deepEqual(await snapshot(), before);

  // The lifecycle goes on from the rebuilt revisions, and a sweep makes no new final version.
  const x = extra[1]!;
  const held = (await service.store.getTrade(A, x.tradeId))!;
  const moved = await service.store.update(A, x.tradeId, (r) => transitionTrade(r, 'CANCELLED'), 'PLAT-SELL', Date.now(), 'after the rebuild');
  assert.deepEqual([moved.record.revision, moved.record.state], [held.revision + 1, 'CANCELLED']);
  await assert.rejects(service.store.confirm(A, { ...x, intervals: [{ ...x.intervals[0]!, quantityWh: 1 }] }, 'PLAT-SELL', Date.now()), { code: 'IES_ERR_P2P_TRADE_CONFLICT' });
  await notarise(); // the notary's log is rebuilt from receipts.v1 by the notary; here its receipts are set again
  await service.sweep();
  assert.deepEqual((await service.store.getFinalRecord(A, intra.tradeId))?.version, (before[`${A}/${intra.tradeId}`] as { final: { version: number } }).final.version);
  assert.deepEqual((await service.store.getFinalRecord(B, inter.tradeId))?.version, (before[`${B}/${inter.tradeId}`] as { final: { version: number } }).final.version);

  // Recovery time for this size (printed, not asserted).
  await loseState();
  const report = await service.restore(A);
  assert.ok(report);
  console.log(`P2P store rebuild: ${report.trades} trades, ${report.finals} finals, ${report.sides} sides of ${A} from its topics in ${report.ms} ms`);
});
