import type { FastifyPluginAsync } from 'fastify';
import type { Producer } from 'kafkajs';
import type { Redis } from 'ioredis';
import type { Registry } from 'prom-client';
import type { ClickHouseClient } from '@ies/clickhouse';
import type { Config } from '@ies/config';
import type { AvroSerde } from '@ies/kafka';
import type { Logger } from '@ies/observability';
import type { RegistryState } from '@ies/registry';
import type { IdempotencyStore } from './auth/idempotency.js';

/**
 * What the node's HTTP server hands every service's front door: the infrastructure it built
 * once (one producer, one Redis, one ClickHouse client, one registry view) and the clock.
 * A service builds its own stores from these; it never reaches into another service's.
 */
export interface NodeContext {
  readonly config: Config;
  readonly logger: Logger;
  readonly metrics: Registry;
  /** The registry view every request is authenticated against (signed documents only). */
  readonly registry: RegistryState;
  readonly serde: AvroSerde;
  readonly producer: Producer;
  /** Fail-fast Redis: a request answers 503 when Redis is down instead of queueing. */
  readonly redis: Redis;
  readonly clickhouse: ClickHouseClient;
  /** Every signed write's jti is recorded here (replay = the first answer, never a second effect). */
  readonly idempotency: IdempotencyStore;
  readonly now: () => number;
}

/**
 * A service's front door, as the node composes it: a fastify plugin with the service's routes
 * (schemas, auth and error mapping included), the public keys the service adds to a tenant's
 * JWKS, and `close` to stop what the service started for its routes (outbox relays, queues).
 */
export interface ServiceHttp {
  readonly name: string;
  readonly plugin: FastifyPluginAsync;
  /** Public JWKs this service publishes for a hosted tenant (listed in /.well-known/jwks.json). */
  jwks?(discomId: string): Promise<readonly object[]>;
  close(): Promise<void>;
}

/** How each service exports its front door (`@ies/<service>/http`). */
export type ServiceHttpFactory = (ctx: NodeContext) => ServiceHttp;

/**
 * How often a service that keeps a store in Redis (rebuilt from its topics) checks the store's
 * marker; the gateway refuses writes to that store while the marker is missing.
 */
export const STORE_WATCH_MS = 2_000;

/** Runs `work` for each tenant every `intervalMs`, logging failures (e.g. an outbox relay retried on the next tick). */
export function everyTenant(ctx: Pick<NodeContext, 'config' | 'logger'>, intervalMs: number, what: string, work: (tenant: string) => Promise<unknown>): { stop(): void } {
  const timer = setInterval(() => {
    for (const t of ctx.config.tenants) void work(t).catch((err: unknown) => ctx.logger.warn({ err, tenant: t }, `${what} failed; retrying`));
  }, intervalMs);
  return { stop: () => clearInterval(timer) };
}
