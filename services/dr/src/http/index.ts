import { everyTenant, type NodeContext, type ServiceHttp } from '@ies/http';
import { IesError } from '@ies/errors';
import { DrEventStore } from '../event-store.js';
import { drStoreMarker } from '../event-store-rebuild.js';
import { readBaselines, readPerformance } from '../dr-tables.js';
import { loadPolicyRegistry } from '../policies.js';
import { createKafka } from '@ies/kafka';
import { drRoutes } from './dr-routes.js';
import { loadMeterHistory } from '../history.js';
import { AccessTokens, ClientSecrets, RegistryObjectChanges, VtnStore, clientRoutes, deliverChanges, publishMqtt, verifyClientAssertion, vtnRoutes, type ObjectChange } from '../openadr/index.js';
import { openCallbackQueue } from '@ies/webhooks';
import { reportSources } from '../openadr-report-sources.js';
import { kafkaCredentialRoutes } from './kafka-credentials-routes.js';
import { schemaRegistryViewRoutes } from './schema-registry-view.js';
import { KafkaCredentialIssuer } from '../kafka-credentials/issuer.js';

/** How often transitions a crash left in the outbox (between Redis and Kafka) are sent. */
const OUTBOX_RELAY_MS = 5_000;
/** How often programs, VENs and resources (the registry's projection) are compared with what OpenADR clients were last told. */
const OPENADR_SWEEP_MS = 2_000;

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
    usage: async (discomId: string, meterIds: readonly string[], day: string) => {
      const history = await loadMeterHistory(ctx.clickhouse, { discomId, meterIds, fromDay: day, toDay: day });
      return new Map(meterIds.map((m) => [m, history.get(m)?.get(day) ?? []]));
    },
  };
  const secrets = new ClientSecrets(ctx.redis);
  const vtn = {
    config: ctx.config, registry: ctx.registry, now: ctx.now, secrets,
    events: drEvents,
    ...reportSources(ctx.clickhouse),
    tokens: new AccessTokens(ctx.redis, ctx.config.nodeId),
    assertion: (jwt: string, audience: string) => verifyClientAssertion(ctx.registry, jwt, [audience, ctx.config.nodeId], ctx.now()),
    store: new VtnStore(ctx.redis),
    changes: { deliver: (changes: readonly ObjectChange[]) => announce(changes) },
    mqttUris: ctx.config.dr.mqtt.uris,
  };
  // OpenADR objects written or changed here are announced like the DR service's: callbacks on
  // the webhook delivery queue, MQTT through the node's channel (docs/openadr.md "Notifications").
  const callbacks = openCallbackQueue({ connection: ctx.redis, ...(ctx.config.dr.webhookQueue === undefined ? {} : { queueName: ctx.config.dr.webhookQueue }) });
  const announce = async (changes: readonly ObjectChange[]) => {
    const byTenant = new Map<string, ObjectChange[]>();
    for (const c of changes) (byTenant.get(c.discomId) ?? byTenant.set(c.discomId, []).get(c.discomId)!).push(c);
    for (const [t, list] of byTenant) await deliverChanges(list, await vtn.store.owned(t, 'subscription'), { notify: callbacks.notify, publish: (m) => publishMqtt(ctx.redis, m) });
  };
  const registryChanges = new RegistryObjectChanges(ctx.redis, vtn);
  // Sweeps in flight are awaited on close, so none outlives the Redis connection.
  const sweeping = new Set<Promise<void>>();
  const openAdrSweep = everyTenant(ctx, OPENADR_SWEEP_MS, 'OpenADR program/VEN/resource changes', (t) => {
    const run = registryChanges.sweep(t, announce).then(() => undefined).finally(() => sweeping.delete(run));
    sweeping.add(run);
    return run;
  });
  const issuer = kafkaCredentialIssuer(ctx);
  const sweep = issuer && everyTenant(ctx, ctx.config.dr.kafkaCredentials.sweepIntervalMs, 'Kafka credential expiry sweep', (t) => issuer.sweep(t));
  return {
    name: 'dr',
    plugin: async (app) => {
      drRoutes(app, deps);
      clientRoutes(app, { config: ctx.config, registry: ctx.registry, idempotency: ctx.idempotency, secrets, now: ctx.now });
      vtnRoutes(app, vtn);
      kafkaCredentialRoutes(app, { config: ctx.config, registry: ctx.registry, idempotency: ctx.idempotency, issuer, now: ctx.now });
      schemaRegistryViewRoutes(app, { authenticate: issuer && ((u, p) => issuer.authenticate(u, p)), registryUrl: ctx.config.registry.url });
    },
    close: async () => {
      relay.stop();
      sweep?.stop();
      openAdrSweep.stop();
      await Promise.allSettled([...sweeping]);
      await callbacks.close();
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
