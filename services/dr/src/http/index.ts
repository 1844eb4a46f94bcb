import { everyTenant, type NodeContext, type ServiceHttp } from '@ies/http';
import { IesError } from '@ies/errors';
import { DrEventStore } from '../event-store.js';
import { drStoreMarker } from '../event-store-rebuild.js';
import { readBaselines, readPerformance } from '../dr-tables.js';
import { loadPolicyRegistry } from '../policies.js';
import { createKafka } from '@ies/kafka';
import { drRoutes } from './dr-routes.js';
import { AccessTokens, ClientSecrets, VtnStore, clientRoutes, verifyClientAssertion, vtnRoutes } from '../openadr/index.js';
import type { DrEventRecord } from '../event-store.js';
import { loadMeterHistory } from '../history.js';
import { blockIndexOf } from '@ies/units';
import { kafkaCredentialRoutes } from './kafka-credentials-routes.js';
import { KafkaCredentialIssuer } from '../kafka-credentials/issuer.js';

/** How often transitions a crash left in the outbox (between Redis and Kafka) are sent. */
const OUTBOX_RELAY_MS = 5_000;

/**
 * DR's front door: DR events (created and moved by signed writes, each transition on
 * dr-events.v1 before the answer), their baselines and measured performance. The outbox
 * relay of the event store runs while the front door is open.
 */
export function drHttp(ctx: NodeContext): ServiceHttp {
  const drEvents = new DrEventStore(ctx.redis, ctx.producer, ctx.serde);
  const relay = everyTenant(ctx, OUTBOX_RELAY_MS, 'DR outbox relay', (t) => drEvents.relay(t));
  const deps = {
    config: ctx.config, registry: ctx.registry, idempotency: ctx.idempotency, now: ctx.now,
    drEvents,
    requireStoreWhole: async (discomId: string) => {
      if (!ctx.idempotency.guards(discomId) || (await ctx.redis.exists(drStoreMarker(discomId))) === 1) return;
      throw new IesError('IES_ERR_DEPENDENCY_UNAVAILABLE', `the DR event store of ${discomId} is being rebuilt from dr-events.v1 (Redis lost it); nothing was written, retry the request unchanged`, { details: { retryAfterSeconds: 2 } });
    },
    policies: loadPolicyRegistry(),
    baselines: (discomId: string, eventId: string) => readBaselines(ctx.clickhouse, discomId, eventId),
    performance: (discomId: string, eventId: string) => readPerformance(ctx.clickhouse, discomId, eventId),
  };
  const secrets = new ClientSecrets(ctx.redis);
  const vtn = {
    config: ctx.config, registry: ctx.registry, now: ctx.now, secrets,
    events: drEvents,
    baselines: deps.baselines,
    performance: async (discomId: string, eventId: string) => {
      const p = await deps.performance(discomId, eventId);
      return p === undefined ? undefined : (p as unknown as { version: number; computedAtMs: number; meters: { meterId: string; deliveredWh: number[] }[]; intervals: { deliveredWh: number; shortfallWh: number }[] });
    },
    usage: async (record: DrEventRecord, meterIds: readonly string[]) => {
      const day = record.event.eventDay;
      const history = await loadMeterHistory(ctx.clickhouse, { discomId: record.discomId, meterIds, fromDay: day, toDay: day });
      return new Map(meterIds.map((m) => [m, record.event.intervals.map((i) => history.get(m)?.get(day)?.[blockIndexOf(i.intervalStart)] ?? null)]));
    },
    tokens: new AccessTokens(ctx.redis, ctx.config.nodeId),
    assertion: (jwt: string, audience: string) => verifyClientAssertion(ctx.registry, jwt, [audience, ctx.config.nodeId], ctx.now()),
    store: new VtnStore(ctx.redis),
  };
  const issuer = kafkaCredentialIssuer(ctx);
  const sweep = issuer && everyTenant(ctx, ctx.config.dr.kafkaCredentials.sweepIntervalMs, 'Kafka credential expiry sweep', (t) => issuer.sweep(t));
  return {
    name: 'dr',
    plugin: async (app) => {
      drRoutes(app, deps);
      clientRoutes(app, { config: ctx.config, registry: ctx.registry, idempotency: ctx.idempotency, secrets, now: ctx.now });
      vtnRoutes(app, vtn);
      kafkaCredentialRoutes(app, { config: ctx.config, registry: ctx.registry, idempotency: ctx.idempotency, issuer, now: ctx.now });
    },
    close: async () => {
      relay.stop();
      sweep?.stop();
      await issuer?.close();
    },
  };
}

/**
 * The issuer of aggregators' Kafka credentials, when the operator named its principal
 * (IES_DR_KAFKA_ISSUER): a Kafka client of its own, apart from the gateway's.
 */
function kafkaCredentialIssuer(ctx: NodeContext): KafkaCredentialIssuer | undefined {
  const settings = ctx.config.dr.kafkaCredentials;
  if (settings.issuer === undefined) return undefined;
  const sasl = { mechanism: 'scram-sha-512' as const, username: settings.issuer.username, password: settings.issuer.password, passwordFrom: 'IES_DR_KAFKA_ISSUER' };
  const kafka = createKafka({ ...ctx.config, kafka: { ...ctx.config.kafka, sasl } }, ctx.logger.child({ lib: 'kafkajs', principal: settings.issuer.username }));
  return new KafkaCredentialIssuer({ kafka, redis: ctx.redis, settings, brokers: ctx.config.kafka.brokers, replicationFactor: ctx.config.kafka.replicationFactor, issuer: settings.issuer, now: ctx.now });
}
