import { startRuntime } from '@ies/runtime';
import { startFanout } from './fanout.js';

/** Replicas share one consumer group, so each batch is fanned out by one of them. */
export const FANOUT_GROUP = 'ies-fanout';

/** Runs the fan-out for the node's tenants; one transactional id per replica (give each replica its own IES_NODE_ID). */
export async function startFanoutService(env: Readonly<Record<string, string | undefined>>) {
  const runtime = await startRuntime(env, { principal: 'fanout' });
  const { config, logger, kafka, serde } = runtime;
  const { consumer, producer } = await startFanout(kafka, serde, config.tenants, { groupId: FANOUT_GROUP, transactionalId: `${config.nodeId}-fanout` });
  logger.info({ tenants: config.tenants }, 'fan-out running');
  return { stop: async () => { await consumer.disconnect(); await producer.disconnect(); await runtime.stop(); } };
}
