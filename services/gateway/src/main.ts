import { createClickHouse } from '@ies/clickhouse';
import { loadCredentialContexts } from '@ies/credentials';
import { IdempotencyStore } from '@ies/http/auth';
import { createMetricsRegistry } from '@ies/observability';
import { createRedis, redisReadiness } from '@ies/redis';
import { openRegistry } from '@ies/registry';
import { startRuntime } from '@ies/runtime';
import { buildGateway } from './app.js';
import { GATEWAY_SEND_BOUND, startReplayLedger } from './ingest/replay-ledger.js';
import { startSubmissionsConsumer } from './intake/submissions-consumer.js';

/** Starts the gateway against the configured stack; resolves once it listens. */
export async function startGateway(env: Readonly<Record<string, string | undefined>>) {
  const runtime = await startRuntime(env, { principal: 'gateway', kafka: { requestTimeout: GATEWAY_SEND_BOUND.requestTimeout, retry: { ...GATEWAY_SEND_BOUND.retry } } });
  const { config, logger, kafka, serde } = runtime;
  // The operator's JSON-LD contexts for credentials (IES_CREDENTIAL_CONTEXTS_DIR): a bad directory stops the start.
  const credentialContexts = loadCredentialContexts(config.credentials.contextsDir);
  for (const c of credentialContexts.operator) logger.info({ context: c.url, file: c.file }, 'operator JSON-LD context loaded');
  const producer = await runtime.producer();
  // Requests must fail fast (503) when Redis is down, not queue forever as bullmq's connections do.
  const redis = createRedis(config, { failFast: true });
  // The gateway is the registry's writer, so it also dead-letters forged registry.v1 records.
  const { registry, view } = await openRegistry(kafka, serde, { tenants: config.tenants, nodeId: config.nodeId, service: 'gateway', operatorJwksFile: config.auth.operatorJwksFile, logger, deadLetters: producer });
  logger.info({ registry: registry.size }, 'registry loaded');
  const idempotency = new IdempotencyStore(redis, config.ingest.idempotencyTtlSeconds, config.ingest.pendingTtlSeconds, { guardedTenants: config.tenants });
  // Claims are refused while a tenant's ledger is missing (Redis lost it, or a new tenant);
  // the keeper rebuilds it from meter-batches.v1. Not awaited: the gateway answers 503 meanwhile.
  const ledger = startReplayLedger({ config, kafka, admin: runtime.admin, serde, registry, idempotency, logger: logger.child({ part: 'replay-ledger' }), now: Date.now }, { tenants: config.tenants });
  const clickhouse = createClickHouse(config);
  // The node context every service's front door is opened with; closing the app closes them.
  const app = buildGateway({
    config, logger, metrics: createMetricsRegistry('gateway'), registry, serde, producer, redis, clickhouse, idempotency, credentialContexts, now: Date.now,
    readiness: [...runtime.readiness, redisReadiness(redis)],
  });
  const submissions = await startSubmissionsConsumer(kafka, { config, registry, serde, producer, idempotency, credentialContexts, now: Date.now }, logger.child({ part: 'submissions' }), `${config.nodeId}-gateway-submissions`);
  const address = await app.listen({ host: config.http.host, port: config.http.port });
  logger.info({ address }, 'gateway listening');
  const stop = async () => {
    await app.close();
    await submissions.disconnect();
    await ledger.stop();
    await view.stop();
    await runtime.stop();
    redis.disconnect();
    await clickhouse.close();
  };
  return { app, address, registry, stop };
}
