import { Redis } from 'ioredis';
import type { Config } from '@ies/config';

export type { Redis };

/**
 * A Redis connection. bullmq requires `maxRetriesPerRequest: null` on worker connections
 * (blocked commands wait for Redis to come back instead of failing mid-job); request paths
 * pass `failFast`.
 */
export function createRedis(config: Config, options: { lazyConnect?: boolean; failFast?: boolean } = {}): Redis {
  return new Redis(config.redis.url, {
    // failFast: request paths (the gateway) get an error within 2 s instead of waiting for
    // Redis to come back; bullmq needs the waiting behaviour.
    maxRetriesPerRequest: options.failFast ? 1 : null,
    ...(options.failFast ? { commandTimeout: 2000 } : {}),
    enableReadyCheck: true,
    lazyConnect: options.lazyConnect ?? false,
    connectionName: config.nodeId,
    ...(config.redis.password ? { password: config.redis.password } : {}),
  });
}
