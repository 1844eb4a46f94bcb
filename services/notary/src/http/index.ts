import type { Redis } from 'ioredis';
import type { NodeContext, ServiceHttp } from '@ies/http';
import { LogStore, notaryOverdueMs, type NotaryBacklog } from '../log-store.js';
import { logRoutes, type ReadIndex } from './log-routes.js';
import { ClickHouseReadIndex } from './read-index.js';
import { tlogRoutes } from './tlog-routes.js';
import { WitnessRecord } from '../witnessing.js';
import { registerWitnessMetrics, witnessRoutes } from './witness-routes.js';

export { notaryOverdueMs, type NotaryBacklog, type ReadIndex };

/**
 * The notary's front door: receipts, read proofs, checkpoints, consistency proofs and
 * verifier keys of each hosted tenant's log, and each log as a public C2SP tiled log under
 * /logs/<discom>/, served from the log's Redis projection and the ClickHouse read index; the
 * notary keys of a tenant go into its JWKS.
 */
export function notaryHttp(ctx: NodeContext): ServiceHttp {
  const stores = new Map(ctx.config.tenants.map((t) => [t, new LogStore(ctx.redis, t)]));
  const logStore = (discomId: string) => stores.get(discomId) ?? new LogStore(ctx.redis, discomId);
  const readIndex = new ClickHouseReadIndex(ctx.clickhouse);
  const witnessRecord = (discomId: string) => new WitnessRecord(ctx.redis, discomId);
  registerWitnessMetrics(ctx.metrics, ctx.config.tenants, witnessRecord);
  return {
    name: 'notary',
    plugin: async (app) => {
      logRoutes(app, { config: ctx.config, registry: ctx.registry, idempotency: ctx.idempotency, logStore, readIndex, witnessRecord, now: ctx.now });
      witnessRoutes(app, { config: ctx.config, registry: ctx.registry, record: witnessRecord, now: ctx.now });
      tlogRoutes(app, { tenants: ctx.config.tenants, logStore, withCosignatures: (discomId, note) => witnessRecord(discomId).withCosignatures(note) });
    },
    jwks: async (discomId) => ((await logStore(discomId).keys())?.jwks ?? []).map((k) => ({ ...k, 'ies:role': 'NOTARY' })),
    close: async () => {},
  };
}

/** A tenant's notary backlog (ingest's back-pressure), read from Redis at most every 100 ms. */
export function notaryBacklog(redis: Redis): (discomId: string) => Promise<NotaryBacklog | undefined> {
  const cache = new Map<string, { at: number; value: Promise<NotaryBacklog | undefined> }>();
  return (discomId) => {
    const hit = cache.get(discomId);
    if (hit && Date.now() - hit.at < 100) return hit.value;
    const value = new LogStore(redis, discomId).backlog();
    cache.set(discomId, { at: Date.now(), value });
    return value;
  };
}
