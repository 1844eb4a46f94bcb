import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';
import type { Config } from '@ies/config';
import { buildHttpApp } from '@ies/http';
import { createLogger, createMetricsRegistry } from '@ies/observability';
import { createRedis, type Redis } from '@ies/redis';
import { nullStream, stackConfig } from '@ies/testing';
import { witnessHttp } from '../../src/http/index.js';

export interface RunningWitness {
  readonly app: FastifyInstance;
  readonly config: Config;
  readonly redis: Redis;
  readonly keysDir: string;
  /** The submission prefix, once `listen()` was called. */
  url: string;
  listen(): Promise<string>;
  close(origins: readonly string[]): Promise<void>;
}

/**
 * A witness front door as the node composes it (the fastify app of @ies/http with the plugin
 * of @ies/witness/http) on the stack's Redis, watching the logs of `vkeys`, with a fresh key
 * folder. Nothing is mocked: the test talks HTTP (inject or a loopback socket) to it.
 */
export async function startWitness(vkeys: readonly string[], name = 'ies.test/witness'): Promise<RunningWitness> {
  const keysDir = mkdtempSync(path.join(tmpdir(), 'ies-witness-'));
  const config = stackConfig({ IES_WITNESS_LOGS: vkeys.join(','), IES_WITNESS_KEYS_DIR: keysDir, IES_WITNESS_NAME: name });
  const redis = createRedis(config, { failFast: true });
  const metrics = createMetricsRegistry('witness-test');
  const app = buildHttpApp({ logger: createLogger({ name: 'witness-test', level: 'silent' }, nullStream()), metrics, readiness: [] });
  const service = witnessHttp({ config, redis, metrics, now: Date.now });
  await app.register(service.plugin);
  await app.ready();
  const w: RunningWitness = {
    app, config, redis, keysDir, url: '',
    async listen() {
      await app.listen({ host: '127.0.0.1', port: 0 });
      w.url = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}/witness`;
      return w.url;
    },
    async close(origins) {
      await service.close();
      await app.close();
      if (origins.length > 0) await redis.del(...origins.map((o) => `ies:witness:${o}`));
      redis.disconnect();
      rmSync(keysDir, { recursive: true, force: true });
    },
  };
  return w;
}
