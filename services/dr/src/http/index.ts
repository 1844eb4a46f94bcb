import { everyTenant, type NodeContext, type ServiceHttp } from '@ies/http';
import { IesError } from '@ies/errors';
import { DrEventStore } from '../event-store.js';
import { drStoreMarker } from '../event-store-rebuild.js';
import { readBaselines, readPerformance } from '../dr-tables.js';
import { loadPolicyRegistry } from '../policies.js';
import { createKafka } from '@ies/kafka';
import { drRoutes } from './dr-routes.js';
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
  const issuer = kafkaCredentialIssuer(ctx);
  const sweep = issuer && everyTenant(ctx, ctx.config.dr.kafkaCredentials.sweepIntervalMs, 'Kafka credential expiry sweep', (t) => issuer.sweep(t));
  return {
    name: 'dr',
    plugin: async (app) => {
      drRoutes(app, deps);
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
