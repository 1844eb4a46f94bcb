import type { Config } from '@ies/config';
import { createKafka, type LogSink } from './client.js';
import { provisionTenant, type EnsureTopicsResult } from './topics.js';

/**
 * Provisions `tenants` (topics and ACLs, see provisionTenant) with a short-lived admin
 * client. `config` must carry a Kafka super-user: loadConfig(env, { principal: 'admin' }).
 * Group and transactional-id ACLs are bound to config.nodeId, the node the services run as.
 */
export async function provisionTenants(config: Config, tenants: readonly string[], log: LogSink): Promise<(EnsureTopicsResult & { discom: string; acls: number })[]> {
  const admin = createKafka(config, log).admin();
  await admin.connect();
  try {
    const out = [];
    for (const discom of tenants) out.push({ discom, ...(await provisionTenant(admin, discom, { replicationFactor: config.kafka.replicationFactor, nodeId: config.nodeId })) });
    return out;
  } finally {
    await admin.disconnect();
  }
}
