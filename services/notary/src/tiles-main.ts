import { setPriority } from 'node:os';
import { loadConfig } from '@ies/config';
import { buildHttpApp } from '@ies/http';
import { createLogger, createMetricsRegistry, type Logger } from '@ies/observability';
import { createRedis } from '@ies/redis';
import { tlogRoutes } from './http/tlog-routes.js';
import { LogStore } from './log-store.js';
import { WitnessRecord } from './witnessing.js';

/**
 * The tenants' tiled logs (`/logs/<discom>/…`, the same routes and bytes the gateway serves)
 * in a process of their own, for a node whose tile traffic should not take CPU from ingest:
 * it only reads the log's Redis projection, and lowers its own scheduling priority
 * (IES_TILES_NICE, default 10), so on shared cores the kernel gives ingest the CPU first and
 * tile serving what is left. Put it behind the node's public URL for `/logs/` (the origin
 * names that URL); tiles are immutable, so a cache or CDN in front takes most of the load.
 */
export async function startTileServer(env: Readonly<Record<string, string | undefined>>, hooks: { logger?: Logger } = {}) {
  const config = loadConfig(env, { principal: 'notary' });
  const logger = hooks.logger ?? createLogger({ name: 'ies-tiles', level: config.logLevel });
  try {
    setPriority(0, config.notary.tilesNice);
  } catch (err) {
    logger.warn({ err, nice: config.notary.tilesNice }, 'could not lower the tile server priority; serving at normal priority');
  }
  const redis = createRedis(config, { failFast: true });
  const stores = new Map(config.tenants.map((t) => [t, new LogStore(redis, t)]));
  const app = buildHttpApp({ logger, metrics: createMetricsRegistry('ies-tiles'), readiness: [] });
  tlogRoutes(app, { tenants: config.tenants, logStore: (d) => stores.get(d)!, withCosignatures: (d, note) => new WitnessRecord(redis, d).withCosignatures(note) });
  const address = await app.listen({ host: config.http.host, port: config.http.port });
  logger.info({ address, tenants: config.tenants, nice: config.notary.tilesNice }, 'tile server listening');
  return {
    address,
    async stop() {
      await app.close();
      redis.disconnect();
    },
  };
}
