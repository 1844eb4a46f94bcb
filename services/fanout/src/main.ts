import { loadConfig } from '@ies/config';
import { AvroSerde, createKafka, requireTenantTopics } from '@ies/kafka';
import { createLogger } from '@ies/observability';
import { startFanout } from './fanout.js';

/** Replicas share one consumer group, so each batch is fanned out by one of them. */
export const FANOUT_GROUP = 'ies-fanout';

/** Runs the fan-out for the node's tenants; one transactional id per replica (give each replica its own IES_NODE_ID). */
export async function startFanoutService(env: Readonly<Record<string, string | undefined>>) {
  const config = loadConfig(env, { principal: 'fanout' });
  const logger = createLogger({ name: 'fanout', level: config.logLevel });
  const kafka = createKafka(config, logger.child({ lib: 'kafkajs' }));
  const admin = kafka.admin();
  await admin.connect();
  for (const t of config.tenants) await requireTenantTopics(admin, t, 'fanout');
  await admin.disconnect();
  const { consumer, producer } = await startFanout(kafka, new AvroSerde({ registryUrl: config.registry.url }), config.tenants, { groupId: FANOUT_GROUP, transactionalId: `${config.nodeId}-fanout` });
  logger.info({ tenants: config.tenants }, 'fan-out running');
  return { stop: async () => { await consumer.disconnect(); await producer.disconnect(); } };
}
