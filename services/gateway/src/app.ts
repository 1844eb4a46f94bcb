import type { FastifyInstance } from 'fastify';
import type { Producer } from 'kafkajs';
import type { Config } from '@ies/config';
import { buildHttpApp } from '@ies/http';
import type { AvroSerde } from '@ies/kafka';
import type { Logger, ReadinessCheck } from '@ies/observability';
import type { Registry } from 'prom-client';
import type { RegistryState } from '@ies/registry';
import type { IdempotencyStore } from './ingest/idempotency.js';
import { meterDataRoutes } from './routes/meter-data.js';
import { registryRoutes } from './routes/registry.js';
import { logRoutes, type ReadIndex } from './routes/log.js';
import { drRoutes } from './routes/dr.js';
import { p2pRoutes } from './routes/p2p.js';
import { statementRoutes, type StatementRouteDeps } from './routes/statements.js';
import type { P2pStore } from '@ies/settlement';
import type { JWK } from 'jose';
import { webhookRoutes, type WebhookRegistry } from '@ies/webhooks';
import { authenticateRead } from './auth/bearer-token.js';
import type { DrEventStore, PolicyRegistry } from '@ies/dr';
import type { LogStore, NotaryBacklog } from '@ies/notary';
import { createIngestMetrics } from './ingest/metrics.js';
import { registerOpenApi } from './openapi.js';

export interface GatewayDeps {
  config: Config;
  logger: Logger;
  metrics: Registry;
  readiness: readonly ReadinessCheck[];
  registry: RegistryState;
  serde: AvroSerde;
  producer: Producer;
  idempotency: IdempotencyStore;
  /** The notary log's read side per tenant (receipts, tiles, checkpoints). */
  logStore: (discomId: string) => LogStore;
  readIndex: ReadIndex;
  /** DR events (state machine + outbox to dr-events.v1), baseline policy packs and stored baselines. */
  drEvents: DrEventStore;
  policies: PolicyRegistry;
  baselines: (discomId: string, eventId: string) => Promise<unknown[]>;
  performance: (discomId: string, eventId: string) => Promise<Record<string, unknown> | undefined>;
  webhooks: WebhookRegistry;
  /** The node's webhook signing key (public JWK), listed in the JWKS. */
  webhookKey: () => Promise<Record<string, unknown> | undefined>;
  /** P2P trades, sides and final allocations of the hosted DISCOMs. */
  p2p: P2pStore;
  /** A hosted DISCOM's public settlement keys, listed in the JWKS with role SETTLEMENT. */
  settlementJwks: (discomId: string) => Promise<readonly object[] | undefined>;
  /** Settlement keys `receiver` trusts for side allocations signed by `sender`. */
  trustedSideKeys: (receiver: string, sender: string) => Promise<JWK[]>;
  /** Settlement statements: the Redis store, the run queue (bullmq) and the sinks a status change is written to. */
  statements: StatementRouteDeps['statements'];
  now?: () => number;
}

/** The notary's backlog per tenant, read from Redis at most every 100 ms. */
function cachedBacklog(logStore: (discomId: string) => LogStore): (discomId: string) => Promise<NotaryBacklog | undefined> {
  const cache = new Map<string, { at: number; value: Promise<NotaryBacklog | undefined> }>();
  return (discomId) => {
    const hit = cache.get(discomId);
    if (hit && Date.now() - hit.at < 100) return hit.value;
    const value = logStore(discomId).backlog();
    cache.set(discomId, { at: Date.now(), value });
    return value;
  };
}

/** The gateway's HTTP app; tests drive it with inject(), main.ts listens. */
export function buildGateway(deps: GatewayDeps): FastifyInstance {
  // OpenAPI generated from the route schemas: /openapi.json, browsable at /docs.
  const app = buildHttpApp({ logger: deps.logger, metrics: deps.metrics, readiness: deps.readiness, bodyLimit: deps.config.ingest.maxBodyBytes, timeouts: deps.config.http, beforeRoutes: registerOpenApi });
  const now = deps.now ?? Date.now;
  app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger());
  // The routes are declared in a plugin loaded after @fastify/swagger, which documents them.
  void app.register(async (api) => {
    meterDataRoutes(api, { ...deps, now, metrics: createIngestMetrics(deps.metrics), notaryBacklog: cachedBacklog(deps.logStore) });
    registryRoutes(api, { ...deps, now });
    logRoutes(api, { ...deps, now });
    drRoutes(api, { ...deps, now });
    p2pRoutes(api, { ...deps, now });
    statementRoutes(api, { ...deps, now });
    webhookRoutes(api, {
      webhooks: deps.webhooks,
      now,
      authenticate: async (req) => {
        const who = await authenticateRead(deps.registry, req.headers.authorization, { audience: deps.config.nodeId, nowMs: now(), maxSkewSeconds: deps.config.auth.maxSkewSeconds });
        return { ...who, role: deps.registry.participant(who.discomId, who.participantId)?.role ?? 'UNKNOWN' };
      },
    });
  });
  return app;
}
