import { randomUUID } from 'node:crypto';
import { loadConfig, redactConfig } from '@ies/config';
import { AvroSerde, createIdempotentProducer, createKafka, kafkaReadiness, registryReadiness, requireTenantTopics } from '@ies/kafka';
import { createLogger, createMetricsRegistry } from '@ies/observability';
import { createRedis, redisReadiness } from '@ies/redis';
import { createClickHouse } from '@ies/clickhouse';
import { LogStore } from '@ies/notary';
import { ClickHouseReadIndex } from './read-index.js';
import { DrEventStore, WEBHOOK_PUBLIC_KEY, loadPolicyRegistry, readBaselines, readPerformance } from '@ies/dr';
import { WebhookRegistry } from '@ies/webhooks';
import { RegistryState, materialiseRegistry } from '@ies/registry';
import { P2pStore, StatementRunQueue, StatementSinks, StatementStore, publishedSettlementKeys, trustedSettlementKeys } from '@ies/settlement';
import { buildGateway } from './app.js';
import { IdempotencyStore } from './ingest/idempotency.js';
import { startSubmissionsConsumer } from './intake/submissions-consumer.js';

/** Starts the gateway against the configured stack; resolves once it listens. */
export async function startGateway(env: Readonly<Record<string, string | undefined>>) {
  const config = loadConfig(env, { principal: 'gateway' });
  const logger = createLogger({ name: 'gateway', level: config.logLevel });
  logger.info({ config: redactConfig(config) }, 'starting gateway');
  const kafka = createKafka(config, logger.child({ lib: 'kafkajs' }));
  const admin = kafka.admin();
  await admin.connect();
  for (const tenant of config.tenants) await requireTenantTopics(admin, tenant, 'gateway');
  const serde = new AvroSerde({ registryUrl: config.registry.url });
  const producer = createIdempotentProducer(kafka);
  await producer.connect();
  // Requests must fail fast (503) when Redis is down, not queue forever as bullmq's connections do.
  const redis = createRedis(config, { failFast: true });
  const registry = new RegistryState();
  // The gateway is the registry's writer, so it also dead-letters forged registry.v1 records.
  const view = await materialiseRegistry(kafka, serde, registry, config.tenants, `${config.nodeId}-gateway-${randomUUID()}`, {
    operatorJwksFile: config.auth.operatorJwksFile,
    deadLetters: producer,
    onRefused: (r) => logger.warn({ refused: r }, 'registry record refused: not an operator-signed document of this tenant'),
  });
  await view.ready;
  logger.info({ registry: registry.size }, 'registry loaded');
  const idempotency = new IdempotencyStore(redis, config.ingest.idempotencyTtlSeconds, config.ingest.pendingTtlSeconds);
  const logStores = new Map(config.tenants.map((t) => [t, new LogStore(redis, t)]));
  const clickhouse = createClickHouse(config);
  const drEvents = new DrEventStore(redis, producer, serde);
  const p2p = new P2pStore(redis, { producer, serde });
  const statementRuns = new StatementRunQueue(redis);
  // Transitions left in the outbox by a crash between Redis and Kafka are sent here.
  const relay = setInterval(() => {
    for (const t of config.tenants) void drEvents.relay(t).catch((err: unknown) => logger.warn({ err, tenant: t }, 'DR outbox relay failed; retrying'));
    for (const t of config.tenants) void p2p.relayTrades(t).catch((err: unknown) => logger.warn({ err, tenant: t }, 'P2P trade outbox relay failed; retrying'));
  }, 5_000);
  const app = buildGateway({
    config, logger, metrics: createMetricsRegistry('gateway'), registry, serde, producer, idempotency,
    logStore: (discom) => logStores.get(discom) ?? new LogStore(redis, discom),
    readIndex: new ClickHouseReadIndex(clickhouse),
    drEvents,
    policies: loadPolicyRegistry(),
    baselines: (discom, eventId) => readBaselines(clickhouse, discom, eventId),
    performance: (discom, eventId) => readPerformance(clickhouse, discom, eventId),
    webhooks: new WebhookRegistry(redis, { allowLoopbackHttp: config.dr.allowLoopbackWebhooks, allowedNetworks: config.dr.webhookAllowedNetworks }),
    webhookKey: async () => { const raw = await redis.get(WEBHOOK_PUBLIC_KEY); return raw === null ? undefined : (JSON.parse(raw) as Record<string, unknown>); },
    readiness: [kafkaReadiness(admin), registryReadiness(config.registry.url), redisReadiness(redis)],
    p2p,
    settlementJwks: (discom) => publishedSettlementKeys(redis, discom),
    trustedSideKeys: (receiver, sender) => trustedSettlementKeys(redis, registry, config.tenants, receiver, sender),
    statements: { store: new StatementStore(redis), runs: statementRuns, sinks: new StatementSinks({ producer, serde, ch: clickhouse }) },
  });
  const submissions = await startSubmissionsConsumer(kafka, { config, registry, serde, producer, idempotency, now: Date.now }, logger.child({ part: 'submissions' }), `${config.nodeId}-gateway-submissions`);
  const address = await app.listen({ host: config.http.host, port: config.http.port });
  logger.info({ address }, 'gateway listening');
  const stop = async () => {
    clearInterval(relay);
    await app.close();
    await statementRuns.close();
    await submissions.disconnect();
    await view.stop();
    await producer.disconnect();
    await admin.disconnect();
    redis.disconnect();
    await clickhouse.close();
  };
  return { app, address, registry, stop };
}
