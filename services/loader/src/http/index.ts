import type { NodeContext, ServiceHttp } from '@ies/http';
import { notaryBacklog } from '@ies/notary/http';
import { checkpointRoutes } from './checkpoint-routes.js';
import { dataEngineerRoutes } from './data-engineer-routes.js';

/**
 * The loader's front door: read routes over the tables it writes (dead letters; head-ends'
 * batches from the receipts table), for a tenant's DISCOM participants.
 */
export function loaderHttp(ctx: NodeContext): ServiceHttp {
  return {
    name: 'loader',
    plugin: async (app) => {
      dataEngineerRoutes(app, { config: ctx.config, registry: ctx.registry, clickhouse: ctx.clickhouse, serde: ctx.serde, now: ctx.now, notaryBacklog: notaryBacklog(ctx.redis) });
      checkpointRoutes(app, { config: ctx.config, clickhouse: ctx.clickhouse });
    },
    close: async () => {},
  };
}
