import type { Redis } from 'ioredis';

/** Readiness of Redis: PING answers PONG. */
export function redisReadiness(redis: Redis): { name: string; check(): Promise<void> } {
  return {
    name: 'redis',
    async check() {
      const pong = await redis.ping();
      if (pong !== 'PONG') throw new Error(`PING answered ${pong}`);
    },
  };
}
