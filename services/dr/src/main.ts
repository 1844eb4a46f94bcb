import { createClickHouse } from '@ies/clickhouse';
import { loadConfig } from '@ies/config';
import { createKafka } from '@ies/kafka';
import { migrateDrTables } from './migrate.js';
import { everyTenant, STORE_WATCH_MS } from '@ies/http';
import { createRedis } from '@ies/redis';
import { startRuntime } from '@ies/runtime';
import { startBaselineWorker } from './baseline-worker.js';
import { indiaHolidayCalendar } from './domain/calendar.js';
import { DrEventStore } from './event-store.js';
import { DrStoreRebuilder } from './event-store-rebuild.js';
import { loadPolicyRegistry } from './policies.js';
import { AccessTokens, VtnStore, publishMqtt, startMqttBroker, startOpenAdrNotifier, vtnReportsOf } from './openadr/index.js';
import { reportSources } from './openadr-report-sources.js';
import { PerformanceSweep } from './performance-sweep.js';
import { startAggregatorFeed } from './aggregator-feed.js';
import { loadWebhookKey } from './webhook-key.js';
import { startWebhookRelay } from '@ies/webhooks';

/** The DR service: baselines events when they become ACTIVE (one consumer group, any number of replicas). */
export async function startDrService(env: Readonly<Record<string, string | undefined>>) {
  const runtime = await startRuntime(env, { principal: 'dr' });
  const { config, logger, kafka, admin, serde } = runtime;
  await migrateDrTables(config);
  const redis = createRedis(config);
  const producer = await runtime.producer();
  const ch = createClickHouse(config);
  const store = new DrEventStore(redis, producer, serde);
  // Redis may have come back empty: the store is restored from its topics before anything
  // reads it, and checked again on every sweep tick (a loss while running).
  const rebuilder = new DrStoreRebuilder({ kafka, admin, serde, redis, logger, groupPrefix: `${config.nodeId}-dr-rebuild-` });
  for (const t of config.tenants) await rebuilder.ensure(t);
  // The gateway refuses DR writes while the marker is missing: look for a loss every 2 s.
  const watch = everyTenant({ config, logger }, STORE_WATCH_MS, 'DR store check', (t) => rebuilder.ensure(t));
  const worker = await startBaselineWorker({ kafka, serde, ch, redis, store, policies: loadPolicyRegistry(), calendar: indiaHolidayCalendar(), tenants: config.tenants, logger });
  const feed = await startAggregatorFeed({ kafka, admin, serde, tenants: config.tenants, replicationFactor: config.kafka.replicationFactor, transactionalId: `${config.nodeId}-aggregator-feed`, logger });
  // The webhook relay runs in this process but reads as its own Kafka user.
  const webhooksKafka = createKafka(loadConfig(env, { principal: 'webhooks' }), logger.child({ lib: 'kafkajs', principal: 'webhooks' }));
  const relay = await startWebhookRelay({ kafka: webhooksKafka, serde, connection: redis, tenants: config.tenants, signingKey: await loadWebhookKey(config.dr.webhookKeyFile, redis), groupId: `${config.nodeId}-webhooks`, ...(config.dr.webhookQueue === undefined ? {} : { queueName: config.dr.webhookQueue }), webhookPolicy: { allowLoopbackHttp: config.dr.allowLoopbackWebhooks, allowedNetworks: config.dr.webhookAllowedNetworks } });
  // OpenADR subscriptions' callbacks go through the same delivery (docs/openadr.md).
  const vtnStore = new VtnStore(redis);
  const reports = reportSources(ch);
  const notifier = await startOpenAdrNotifier({
    kafka: webhooksKafka, serde, tenants: config.tenants, groupId: `${config.nodeId}-webhooks-openadr`, events: store, subscriptions: (t) => vtnStore.owned(t, 'subscription'),
    notify: (c) => relay.notify(c), reports: (r) => vtnReportsOf(reports, r), publish: (m) => publishMqtt(redis, m), log: logger,
  });
  // The MQTT notifier binding's broker (docs/openadr.md "MQTT"): clients authenticate with their OAuth access tokens.
  const mqttSubscriber = redis.duplicate();
  const mqtt = config.dr.mqtt.port === 0 ? undefined : await startMqttBroker({ host: config.dr.mqtt.host, port: config.dr.mqtt.port, tokens: new AccessTokens(redis, config.nodeId), subscriber: mqttSubscriber, now: Date.now, log: logger });
  if (mqtt) logger.info({ host: config.dr.mqtt.host, port: mqtt.port }, 'OpenADR MQTT notifier broker listening');
  const sweep = new PerformanceSweep({ ch, redis, store, producer, serde, logger, graceMs: config.dr.performanceGraceMs, now: Date.now });
  const timer = setInterval(() => {
    for (const t of config.tenants) void rebuilder.ensure(t).then(() => sweep.sweep(t)).catch((err: unknown) => logger.warn({ err, tenant: t }, 'DR store check or performance sweep failed; retried on the next tick'));
  }, config.dr.sweepIntervalMs);
  logger.info({ tenants: config.tenants, sweepIntervalMs: config.dr.sweepIntervalMs, graceMs: config.dr.performanceGraceMs }, 'baseline worker and performance sweep running');
  return {
    sweep,
    rebuilder,
    stop: async () => {
      clearInterval(timer);
      watch.stop();
      await notifier.disconnect();
      await mqtt?.close();
      mqttSubscriber.disconnect();
      await relay.stop();
      await feed.consumer.disconnect();
      await feed.producer.disconnect();
      await worker.consumer.disconnect();
      await worker.producer.disconnect();
      await runtime.stop();
      await ch.close();
      redis.disconnect();
    },
  };
}
