import { createClickHouse } from '@ies/clickhouse';
import { loadCredentialContexts } from '@ies/credentials';
import { IdempotencyStore } from '@ies/http/auth';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Config } from '@ies/config';
import { TOPICS, topicName, type ServicePrincipal } from '@ies/contracts';
import { generateSigningKey, signDetached, type KeyPair } from '@ies/crypto';
import { AvroSerde, createIdempotentProducer, createKafka, provisionTenants } from '@ies/kafka';
import { createLogger, createMetricsRegistry } from '@ies/observability';
import { createRedis } from '@ies/redis';
import { RegistryState } from '@ies/registry';
import { nullStream, scanKeys as scanRedisKeys, stackConfig, uniqueTenant } from '@ies/testing';
import { DrStoreRebuilder } from '@ies/dr/testing';
import { settlementStoreRebuilder } from '@ies/settlement/testing';
import { buildGateway } from '../../src/app.js';
import { startReplayLedger } from '../../src/ingest/replay-ledger.js';

/** Loosely typed JSON for assertions on responses and decoded records. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Json = Record<string, any>;

/**
 * A gateway wired to the real local stack, for one or more fresh tenants. Its replay-ledger
 * keeper runs as in main.ts (with `ledgerGraceMs` for the wait on in-flight writes, short
 * here) and the harness resolves once the fresh tenants' ledgers are whole.
 */
export async function startHarness(tenantCount = 1, env: Record<string, string> = {}, options: { ledgerGraceMs?: number; ledgerIntervalMs?: number; tenants?: readonly string[] } = {}) {
  // Given tenant ids (a test that writes a policy pack for its tenant before the node starts), or fresh ones.
  const tenants = options.tenants !== undefined ? [...options.tenants] : Array.from({ length: tenantCount }, () => uniqueTenant());
  const keysDir = mkdtempSync(path.join(tmpdir(), 'ies-gw-'));
  const operator = await generateSigningKey();
  const operatorJwks = path.join(keysDir, 'operator.jwks.json');
  writeFileSync(operatorJwks, JSON.stringify({ keys: [operator.publicJwk] }));
  const settings = { IES_TENANTS: tenants.join(','), IES_OPERATOR_JWKS_FILE: operatorJwks, IES_INGEST_MAX_BODY_BYTES: String(1024 * 1024), ...env };
  const config: Config = stackConfig(settings, 'gateway');
  const logger = createLogger({ name: 'it', level: 'silent' }, nullStream());
  // Provisioned as an operator would (topics and ACLs, as the Kafka admin); the gateway then
  // writes as its own Kafka user. `kafka` is the admin's client, for what the test does from
  // outside (watching topics, playing a head-end); kafkaAs(p) runs another service's code as p.
  await provisionTenants(stackConfig(settings, 'admin'), tenants, logger);
  const kafkaAs = (principal: ServicePrincipal | 'admin') => createKafka(stackConfig(settings, principal), logger);
  const kafka = kafkaAs('admin');
  const gatewayKafka = createKafka(config, logger);
  const serde = new AvroSerde({ registryUrl: config.registry.url });
  const producer = createIdempotentProducer(gatewayKafka);
  await producer.connect();
  const redis = createRedis(config);
  const registry = new RegistryState();
  const clickhouse = createClickHouse(config);
  let clock: number | undefined;
  // As main.ts: the operator's contexts (IES_CREDENTIAL_CONTEXTS_DIR in `env`), loaded once.
  const credentialContexts = loadCredentialContexts(config.credentials.contextsDir);
  const app = buildGateway({
    config, logger, metrics: createMetricsRegistry('it'), readiness: [], registry, serde, producer, redis, clickhouse,
    idempotency: new IdempotencyStore(redis, 3600, 300, { guardedTenants: tenants }),
    credentialContexts,
    now: () => clock ?? Date.now(),
  });

  async function applyRegistry(yaml: string, signer: KeyPair = operator) {
    const body = Buffer.from(yaml);
    const sig = await signDetached(body, signer, { iat: Math.floor(Date.now() / 1000), jti: randomUUID(), htm: 'POST', htu: '/v1/registry', tenant: /^discom: *(\S+)/m.exec(yaml)?.[1] ?? '' });
    return app.inject({ method: 'POST', url: '/v1/registry', headers: { 'content-type': 'application/yaml', 'x-ies-signature': sig }, payload: body });
  }

  async function submit(body: string | Buffer, key: KeyPair, opts: { jti?: string; iat?: number; contentType?: string; signature?: string; headers?: Record<string, string>; tenant?: string } = {}) {
    const bytes = Buffer.isBuffer(body) ? body : Buffer.from(body);
    const jti = opts.jti ?? `B-${randomUUID()}`;
    const tenant = opts.tenant ?? registry.key(key.kid)?.discomId ?? (tenants[0] as string);
    const signature = opts.signature ?? (await signDetached(bytes, key, { iat: opts.iat ?? Math.floor(Date.now() / 1000), jti, htm: 'POST', htu: '/v1/meter-data', tenant }));
    const res = await app.inject({ method: 'POST', url: '/v1/meter-data', headers: { 'content-type': opts.contentType ?? 'text/csv', 'x-ies-signature': signature, ...opts.headers }, payload: bytes });
    return { res, jti, json: () => res.json() as Json };
  }

  /**
   * What the DR and settlement services do on start (and on each check after a Redis loss):
   * rebuild their stores from their topics and set the markers the front doors wait for.
   */
  async function ownersRebuildStores(): Promise<void> {
    const drKafka = kafkaAs('dr');
    const settlementKafka = kafkaAs('settlement');
    const [drAdmin, settlementAdmin] = [drKafka.admin(), settlementKafka.admin()];
    await Promise.all([drAdmin.connect(), settlementAdmin.connect()]);
    try {
      const dr = new DrStoreRebuilder({ kafka: drKafka, admin: drAdmin, serde, redis, logger, groupPrefix: `${config.nodeId}-dr-rebuild-` });
      const p2p = settlementStoreRebuilder({ kafka: settlementKafka, admin: settlementAdmin, serde, redis, registry, hosted: tenants, logger, groupPrefix: `${config.nodeId}-settlement-rebuild-` });
      for (const t of tenants) await Promise.all([dr.ensure(t), p2p.ensure(t)]);
    } finally {
      await Promise.all([drAdmin.disconnect(), settlementAdmin.disconnect()]);
    }
  }

  /** Every Redis key matching `pattern` (SCAN, never KEYS on the shared Redis). */
  const scanKeys = (pattern: string) => scanRedisKeys(redis, pattern);

  /** Records of a tenant's meter-batches.v1 and dead-letter.v1 as they arrive, decoded (the test acts as an outside watcher). */
  async function watchBatches(tenant: string, groupSuffix: string) {
    const seen: { batches: Json[]; dead: Json[] } = { batches: [], dead: [] };
    const consumer = kafka.consumer({ groupId: `${tenant}-it-${groupSuffix}` });
    await consumer.connect();
    await consumer.subscribe({ topics: [topicName(tenant, TOPICS.meterBatches), topicName(tenant, TOPICS.deadLetter)], fromBeginning: true });
    await consumer.run({
      eachMessage: async ({ topic, message }) => {
        const v = await serde.decode<Json>(message.value as Buffer);
        (topic.endsWith('meter-batches.v1') ? seen.batches : seen.dead).push(v);
      },
    });
    return { seen, stop: () => consumer.disconnect() };
  }

  const deps = { config, registry, serde, producer, idempotency: new IdempotencyStore(redis, 3600, 300, { guardedTenants: tenants }), credentialContexts, now: () => clock ?? Date.now() };
  const gatewayAdmin = gatewayKafka.admin();
  await gatewayAdmin.connect();
  const ledger = startReplayLedger(
    { config, kafka: gatewayKafka, admin: gatewayAdmin, serde, registry, idempotency: deps.idempotency, logger, now: Date.now },
    { tenants, graceMs: options.ledgerGraceMs ?? 1_000, intervalMs: options.ledgerIntervalMs ?? 500 },
  );
  await ledger.whole();
  await ownersRebuildStores();
  return {
    tenants, config, app, registry, kafka, gatewayKafka, kafkaAs, serde, operator, applyRegistry, submit, deps, redis, ledger, ownersRebuildStores, scanKeys, watchBatches,
    setClock: (ms: number | undefined) => { clock = ms; },
    async close() {
      await ledger.stop();
      await gatewayAdmin.disconnect();
      await app.close();
      await producer.disconnect();
      redis.disconnect();
      await clickhouse.close();
    },
  };
}

export function registryYaml(discom: string, headEnd: { id: string; keys: (KeyPair & { status?: string })[]; halfHour?: string }, meters: { id: string; load?: number; der?: number; category?: string }[]): string {
  const keys = headEnd.keys.map((k) => `      - ${JSON.stringify({ ...k.publicJwk, ...(k.status ? { status: k.status } : {}) })}`).join('\n');
  const meterLines = meters.map((m) => `  - ${JSON.stringify({ id: m.id, scheme: 'METER_SERIAL', headEnd: headEnd.id, sanctionedLoadW: m.load ?? 10_000, ...(m.der === undefined ? {} : { derCapacityW: m.der }), ...(m.category === undefined ? {} : { meterCategory: m.category }) })}`).join('\n');
  return `discom: ${discom}\nparticipants:\n  - id: ${headEnd.id}\n    role: HEADEND\n    name: test head-end\n    halfHourProfiles: ${headEnd.halfHour ?? 'REJECT'}\n    keys:\n${keys}\nmeters:\n${meterLines}\n`;
}

/** 15-minute blocks of the IST day before `now`, as ISO strings with the +05:30 offset. */
export function istBlocks(count: number, dayOffset = -1): string[] {
  const istNow = new Date(Date.now() + 330 * 60_000);
  const midnightIst = Date.UTC(istNow.getUTCFullYear(), istNow.getUTCMonth(), istNow.getUTCDate() + dayOffset) - 330 * 60_000;
  return Array.from({ length: count }, (_, i) => new Date(midnightIst + i * 900_000 + 330 * 60_000).toISOString().replace('.000Z', '+05:30'));
}

export const CSV_HEADER = 'meter_id,block_start,import_wh,export_wh,status';
