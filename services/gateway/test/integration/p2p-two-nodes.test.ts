// An inter-DISCOM trade between two nodes, each hosting one DISCOM: node 1 hosts the seller's
// DISCOM, node 2 the buyer's. Each node has its own gateway (listening on 127.0.0.1) and its
// own settlement service; each DISCOM registers the other as a peer (a participant with role
// DISCOM carrying its settlement key). The sides cross as signed JWS over
// POST /v1/p2p/sides, and both nodes end up holding the same final allocation.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createClickHouse } from '@ies/clickhouse';
import { Ed25519KeyFile } from '@ies/crypto';
import { createLogger } from '@ies/observability';
import { createRedis } from '@ies/redis';
import { startSettlementService } from '@ies/settlement';
import { type NormalisedTrade } from '@ies/settlement/testing';
import { istDayOf, istDayStart } from '@ies/units';
import { eventually, nullStream, stackConfig } from '@ies/testing';
import { startHarness } from './harness.js';

const HOUR_MS = 3_600_000;
const BLOCK_MS = 900_000;
const database = `it_2n_${randomBytes(4).toString('hex')}`;
const logger = createLogger({ name: 'it', level: 'silent' }, nullStream());
const ch = createClickHouse(stackConfig({ IES_CLICKHOUSE_DATABASE: database }));
const redis = createRedis(stackConfig());
type Harness = Awaited<ReturnType<typeof startHarness>>;
type Service = Awaited<ReturnType<typeof startSettlementService>>;
const nodes: { h: Harness; url: string; keysDir: string; discom: string; service?: Service }[] = [];

const start = istDayStart(istDayOf(Date.now() - 2 * 86_400_000))! + 11 * HOUR_MS;
let trade: NormalisedTrade;

/** A DISCOM's reads of one meter over the trade's hour, four 15-minute blocks, notarised. */
async function reads(discom: string, meter: string, channel: 'IMPORT' | 'EXPORT', wh: number, batch: string): Promise<void> {
  const values = [0, 1, 2, 3].map((i) => ({ discom_id: discom, meter_id: meter, block_start: (start + i * BLOCK_MS) / 1000, channel, wh, validation_status: 'VALID', source: 'HES', batch_id: batch, index_in_batch: i, head_end_id: 'HES-1', received_at_ms: 1_000 }));
  await ch.insert({ table: 'reads', values, format: 'JSONEachRow' });
  // The notary receipt of the batch, as the notary's log store keeps it (only its checkpoint is read).
  const note = `ies.local/it/${discom}\n9\n${Buffer.alloc(32, 9).toString('base64')}\n\n— ies.local/it sig\n`;
  await redis.set(`ies:${discom}:log:receipt:${batch}`, `eyJhbGciOiJFZERTQSJ9.${Buffer.from(JSON.stringify({ batchId: batch, checkpoint: note })).toString('base64url')}.c2ln`);
}

before(async () => {
  for (const n of [1, 2]) {
    const nodeId = `it-node${n}-${randomBytes(3).toString('hex')}`;
    const keysDir = mkdtempSync(path.join(tmpdir(), `ies-node${n}-`));
    const h = await startHarness(1, { IES_NODE_ID: nodeId, IES_CLICKHOUSE_DATABASE: database, IES_SETTLEMENT_KEYS_DIR: keysDir });
    const url = await h.app.listen({ host: '127.0.0.1', port: 0 });
    nodes.push({ h, url, keysDir, discom: h.tenants[0]! });
  }
  const [n1, n2] = nodes as [(typeof nodes)[0], (typeof nodes)[0]];
  // Each DISCOM registers the other as a peer with its settlement public key, and its own meter.
  for (const [self, peer, meter] of [[n1, n2, 'M-SELL'], [n2, n1, 'M-BUY']] as const) {
    const peerKey = (await new Ed25519KeyFile(peer.keysDir, peer.discom).current()).jwks[0]!;
    const doc = `discom: ${self.discom}\nparticipants:\n  - id: ${peer.discom}\n    role: PEER_DISCOM\n    name: peer DISCOM on another node\n    keys:\n      - ${JSON.stringify(peerKey)}\nmeters:\n  - { id: ${meter}, scheme: METER_SERIAL, sanctionedLoadW: 10000 }\n`;
    const res = await self.h.applyRegistry(doc);
    assert.equal(res.statusCode, 200, res.body);
  }
  for (const [self, peer] of [[n1, n2], [n2, n1]] as const) {
    self.service = await startSettlementService(
      { ...process.env, IES_TENANTS: self.discom, IES_NODE_ID: self.h.config.nodeId, IES_OPERATOR_JWKS_FILE: self.h.config.auth.operatorJwksFile, IES_CLICKHOUSE_DATABASE: database, IES_SETTLEMENT_KEYS_DIR: self.keysDir, IES_SETTLEMENT_RECONCILE_GRACE_MS: '0', IES_SETTLEMENT_RECONCILE_INTERVAL_MS: '3600000', IES_SETTLEMENT_STATEMENT_GRACE_MS: String(20 * 86_400_000), IES_SETTLEMENT_PEER_URLS: `${peer.discom}=${peer.url}`, IES_LOG_LEVEL: 'silent' },
      { sweepOnStart: false, logger },
    );
  }
  const tx = `TX-2N-${randomBytes(3).toString('hex')}`;
  trade = {
    tradeId: `${tx}/c1`, transactionId: tx, commitmentId: 'c1', contractId: null,
    seller: { meterId: 'M-SELL', discomId: n1.discom, platformId: 'PLAT' },
    buyer: { meterId: 'M-BUY', discomId: n2.discom, platformId: 'PLAT' },
    intervals: [{ startMs: start, endMs: start + HOUR_MS, quantityWh: 3000, pricePaisePerKwh: 600 }],
    intent: 'CONFIRM', source: { action: 'confirm', messageId: null, timestamp: null },
  };
  // Each node holds its DISCOM's copy of the trade (the platform lodged it with both).
  for (const n of nodes) await n.service!.store.confirm(n.discom, trade, 'PLAT', Date.now());
  await reads(n1.discom, 'M-SELL', 'EXPORT', 700, 'B-SELL');
  await reads(n2.discom, 'M-BUY', 'IMPORT', 600, 'B-BUY');
});

after(async () => {
  for (const n of nodes) {
    await n.service?.stop();
    await n.h.close();
  }
  await ch.command({ query: `DROP DATABASE IF EXISTS ${database}` });
  await ch.close();
  redis.disconnect();
});

test('each node allocates its own side, the sides cross over HTTP as signed JWS, and both nodes hold the same final = min of the sides', async () => {
  const [n1, n2] = nodes as [(typeof nodes)[0], (typeof nodes)[0]];
  await n1.service!.sweep();
  await n2.service!.sweep();
  const finals = await eventually(async () => {
    const [a, b] = await Promise.all([n1.service!.store.getFinal(n1.discom, trade.tradeId), n2.service!.store.getFinal(n2.discom, trade.tradeId)]);
    return a && b ? ([a, b] as const) : undefined;
  }, 30_000, 'the final on both nodes');
  assert.deepEqual(finals[0], finals[1]);
  assert.deepEqual(finals[0].intervals.map((i) => [i.contractedWh, i.sellerWh, i.buyerWh, i.finalWh]), [[3000, 2800, 2400, 2400]]);
  // Each node holds the other's side only as the other DISCOM signed it.
  assert.equal((await n1.service!.store.getSide(n1.discom, trade.tradeId, 'BUYER'))?.origin, 'PEER');
  assert.equal((await n2.service!.store.getSide(n2.discom, trade.tradeId, 'SELLER'))?.origin, 'PEER');
  // A side signed in node 1's DISCOM's name by anyone else is refused at node 2's door.
  const [h, p, sig] = (await n1.service!.store.getSide(n1.discom, trade.tradeId, 'SELLER'))!.jws.split('.') as [string, string, string];
  const forged = `${h}.${p}.${sig.slice(0, 10)}${sig[10] === 'A' ? 'B' : 'A'}${sig.slice(11)}`;
  const refused = await fetch(`${n2.url}/v1/p2p/sides`, { method: 'POST', headers: { 'content-type': 'application/jose' }, body: forged });
  assert.equal(refused.status, 401, await refused.text());
});
