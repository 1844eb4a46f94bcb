import { Redis } from 'ioredis';
import type { Config } from '@ies/config';

export type { Redis };

/**
 * A Redis connection for bullmq and plain use. bullmq requires
 * `maxRetriesPerRequest: null` on worker connections, so every connection uses it and
 * blocked commands wait for Redis to come back instead of failing mid-job.
 */
export function createRedis(config: Config, options: { lazyConnect?: boolean } = {}): Redis {
  return new Redis(config.redis.url, {
    maxRetriesPerRequest: null,
    enableReadyCheck: true,
    lazyConnect: options.lazyConnect ?? false,
    connectionName: config.nodeId,
  });
}
