// Shared set-up of the statement integration tests: a fresh tenant on the real local stack
// (Kafka, the registry, Redis, a throw-away ClickHouse database), the real P2pStore and DR
// event store as inputs, and the tenant's policy pack (the illustrative one, relabelled).
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createClickHouse } from '@ies/clickhouse';
import type { Config } from '@ies/config';
import { signDetached, type KeyPair } from '@ies/crypto';
import { DrEventStore } from '@ies/dr/events';
import { AvroSerde, createIdempotentProducer, createKafka, provisionTenants } from '@ies/kafka';
import { migrateSettlementTables } from '../../src/migrate.js';
import { createLogger } from '@ies/observability';
import { createRedis, type Redis } from '@ies/redis';
import { scanKeys, stackConfig } from '@ies/testing';
import type { FinalAllocation } from '../../src/domain/final-allocation.js';
import type { PolicyPack } from '../../src/domain/policy-pack.js';
import { istDayStart } from '@ies/units';
import type { NormalisedTrade } from '../../src/domain/trade.js';
import { deskStoreMarker } from '../../src/desk-store-rebuild.js';
import { DisputeStore, type SignedWrite } from '../../src/dispute-store.js';
import type { DisputeDeps } from '../../src/disputes.js';
import { drSourceOf } from '../../src/dr-source.js';
import { finalsAtCutoff } from '../../src/finals-at-cutoff.js';
import { P2pStore } from '../../src/p2p-store.js';
import { SETTLEMENT_POLICIES_DIR } from '../../src/policies.js';
import { SettlementKeys } from '../../src/settlement-keys.js';
import type { CalendarRunDeps } from '../../src/statement-calendar-run.js';
import type { StatementRunDeps } from '../../src/statement-run.js';
import { StatementSinks } from '../../src/statement-sinks.js';
import { StatementStore } from '../../src/statement-store.js';

export interface Env {
  tenant: string;
  database: string;
  keysDir: string;
  queueName: string;
}

export function policyFor(tenant: string): PolicyPack {
  const example = JSON.parse(readFileSync(path.join(SETTLEMENT_POLICIES_DIR, 'EXAMPLE-DISCOM.v1.json'), 'utf8')) as PolicyPack;
  return { ...example, policyId: `${tenant}.it`, discomId: tenant, effectiveFrom: '2026-01-01', p2p: { ...example.p2p, sellerShortfall: { treatment: 'FIXED_RATE', ratePaisePerKwh: 800 } } };
}

export function newEnv(tenant: string, database: string): Env {
  return { tenant, database, keysDir: mkdtempSync(path.join(tmpdir(), 'ies-stmt-keys-')), queueName: `it-stmt-${tenant}` };
}

/** Everything a statement run needs, against the stack: the tenant provisioned (as the Kafka admin), clients as the settlement service's Kafka user. */
export async function connect(env: Env, extra: Record<string, string> = {}) {
  const settings = { IES_TENANTS: env.tenant, IES_CLICKHOUSE_DATABASE: env.database, IES_SETTLEMENT_KEYS_DIR: env.keysDir, IES_SETTLEMENT_STATEMENT_INTERVAL_MS: String(86_400_000), ...extra };
  const config: Config = stackConfig(settings, 'settlement');
  await migrateSettlementTables(config);
  const logger = createLogger({ name: 'it', level: 'silent' });
  await provisionTenants(stackConfig(settings, 'admin'), [env.tenant], logger);
  const kafka = createKafka(config, logger);
  const serde = new AvroSerde({ registryUrl: config.registry.url });
  const producer = createIdempotentProducer(kafka);
  await producer.connect();
  const redis = createRedis(config);
  const ch = createClickHouse(config);
  const p2p = new P2pStore(redis, { producer, serde });
  const dr = drSourceOf(new DrEventStore(redis, producer, serde), ch);
  const store = new StatementStore(redis);
  const keys = new SettlementKeys(redis, env.keysDir);
  const runDeps: StatementRunDeps = {
    p2p, dr, policies: [policyFor(env.tenant)], store, sinks: new StatementSinks({ producer, serde, ch }), now: Date.now,
    signer: async (d) => {
      const { privateKeys, jwks } = await keys.keyFile(d).current();
      return { kid: jwks[0]!.kid as string, privateKey: privateKeys[0]! };
    },
  };
  return {
    config, logger, serde, producer, redis, ch, p2p, dr, store, keys, runDeps,
    async close() {
      await producer.disconnect();
      redis.disconnect();
      await ch.close();
    },
  };
}

const H = 3_600_000;

/** A trade of the tenant's own meters (seller S-1, buyer B-1): `hours` hourly intervals from 10:00 IST of `day`, 4 kWh at ₹6.00. */
export function tradeOn(tenant: string, day: string, id: string, hours = 2): NormalisedTrade {
  const start = istDayStart(day)! + 10 * H;
  return {
    tradeId: `${id}/c`, transactionId: id, commitmentId: 'c', contractId: null,
    seller: { meterId: 'S-1', discomId: tenant, platformId: 'sellerapp.example.com' },
    buyer: { meterId: 'B-1', discomId: tenant, platformId: 'buyerapp.example.com' },
    intervals: Array.from({ length: hours }, (_, i) => ({ startMs: start + i * H, endMs: start + (i + 1) * H, quantityWh: 4000, pricePaisePerKwh: 600 })),
    intent: 'CONFIRM', source: { action: 'confirm', messageId: null, timestamp: null },
  };
}

/** The final allocation of a trade where the seller delivered `sellerWh` per interval and the buyer took everything. */
export function finalOf(tenant: string, trade: NormalisedTrade, sellerWh: number): FinalAllocation {
  return {
    tradeId: trade.tradeId, sellerDiscomId: tenant, buyerDiscomId: tenant, sellerVersion: 1, buyerVersion: 1, sellerStatus: 'COMPLETED', buyerStatus: 'COMPLETED', status: 'COMPLETED',
    intervals: trade.intervals.map((iv) => ({ startMs: iv.startMs, endMs: iv.endMs, contractedWh: iv.quantityWh, sellerWh, buyerWh: iv.quantityWh, finalWh: sellerWh, sellerShortfallWh: iv.quantityWh - sellerWh, buyerShortfallWh: 0, deviationWh: iv.quantityWh - sellerWh })),
    evidence: [{ origin: `ies.local/it/${tenant}`, size: 7, rootHash: 'cm9vdA==' }],
  };
}

/**
 * A notary receipt for a batch as the notary's Redis log store keeps it. The reconciler reads
 * only the checkpoint it names (the evidence of the reads); the signature is not checked
 * there, so these tests need no running notary.
 */
export async function fakeReceipt(redis: Redis, discom: string, batchId: string, checkpoint: { origin: string; size: number; rootHash: string }): Promise<void> {
  const note = `${checkpoint.origin}\n${checkpoint.size}\n${checkpoint.rootHash}\n\n— ${checkpoint.origin} sig\n`;
  const payload = Buffer.from(JSON.stringify({ batchId, checkpoint: note })).toString('base64url');
  await redis.set(`ies:${discom}:log:receipt:${batchId}`, `eyJhbGciOiJFZERTQSJ9.${payload}.c2ln`);
}

/** A desk write as the gateway takes it: the body's bytes and a detached JWS over them bound to the request. */
export async function signedDeskWrite(key: KeyPair, tenant: string, body: unknown, htu: string): Promise<{ bytes: Buffer; signed: SignedWrite }> {
  const bytes = Buffer.from(JSON.stringify(body));
  const jws = await signDetached(bytes, key, { iat: Math.floor(Date.now() / 1000), jti: `desk-${randomBytes(6).toString('hex')}`, htm: 'POST', htu, tenant });
  return { bytes, signed: { jws, body: bytes.toString('base64url'), kid: key.kid } };
}

/** Loses one tenant's desk state only (its statement and dispute keys, outboxes included, and the marker); never FLUSHALL: the stack is shared. */
export async function loseDeskState(redis: Redis, tenant: string): Promise<number> {
  const keys: string[] = [];
  for (const pattern of [`ies:${tenant}:stmt:*`, `ies:${tenant}:dispute*`, deskStoreMarker(tenant)]) keys.push(...(await scanKeys(redis, pattern)));
  if (keys.length > 0) await redis.del(...keys);
  return keys.length;
}

/** The calendar-run and dispute use cases of a connected tenant under a pack, disputes published through the connection's producer. */
export function deskDeps(s: Awaited<ReturnType<typeof connect>>, tenant: string, pack: PolicyPack): { runs: CalendarRunDeps; disputes: DisputeDeps } {
  const disputes = new DisputeStore(s.redis, { producer: s.producer, serde: s.serde });
  return {
    runs: { ...s.runDeps, policies: [pack], disputes, finalsAt: (d, ids, cutoffMs) => finalsAtCutoff(s.ch, (id) => s.p2p.getFinalRecord(d, id), d, ids, cutoffMs) },
    disputes: {
      disputes, statements: s.store, sinks: s.runDeps.sinks, policies: [pack], hosted: [tenant], now: Date.now,
      tradesForDay: (d, day) => s.p2p.tradesForDay(d, day),
      evidence: { trustOf: async () => undefined, hasRead: async () => false },
    },
  };
}
