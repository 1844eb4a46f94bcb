import type { FastifyInstance } from 'fastify';
import type { CredentialContexts } from '@ies/credentials';
import { buildHttpApp, type NodeContext, type ServiceHttpFactory } from '@ies/http';
import type { ReadinessCheck } from '@ies/observability';
import { consoleHttp } from '@ies/console/http';
import { drHttp } from '@ies/dr/http';
import { loaderHttp } from '@ies/loader/http';
import { notaryBacklog, notaryHttp } from '@ies/notary/http';
import { settlementHttp } from '@ies/settlement/http';
import { webhooksHttp } from '@ies/webhooks/http';
import { witnessHttp } from '@ies/witness/http';
import { createIngestMetrics } from './ingest/metrics.js';
import { registerOpenApi } from './openapi.js';
import { deadLetterRedriveRoutes } from './routes/dead-letter-redrive.js';
import { meterDataRoutes } from './routes/meter-data.js';
import { registryRoutes } from './routes/registry.js';

/** The services whose front doors this node serves, in the order their routes and JWKS entries are listed. */
export const SERVICE_FRONT_DOORS: readonly ServiceHttpFactory[] = [notaryHttp, loaderHttp, drHttp, settlementHttp, webhooksHttp, witnessHttp, consoleHttp];

export interface GatewayDeps extends NodeContext {
  readiness: readonly ReadinessCheck[];
  /** The JSON-LD contexts credentials may name (loadCredentialContexts of the configured directory, at start). */
  credentialContexts: CredentialContexts;
}

/**
 * The node's HTTP server: the gateway's own routes (meter-data intake, registry admin, JWKS,
 * OpenAPI) and each service's front door, opened with the node context and closed with the
 * app. Tests drive it with inject(), main.ts listens.
 */
export function buildGateway(deps: GatewayDeps): FastifyInstance {
  // OpenAPI generated from the route schemas: /openapi.json, browsable at /docs.
  const app = buildHttpApp({ logger: deps.logger, metrics: deps.metrics, readiness: deps.readiness, bodyLimit: deps.config.ingest.maxBodyBytes, timeouts: deps.config.http, beforeRoutes: registerOpenApi });
  const services = SERVICE_FRONT_DOORS.map((open) => open(deps));
  app.addHook('onClose', async () => {
    for (const service of services) await service.close();
  });
  const serviceJwks = async (discomId: string) => (await Promise.all(services.map((s) => s.jwks?.(discomId) ?? []))).flat();
  app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger());
  // The routes are declared in a plugin loaded after @fastify/swagger, which documents them.
  void app.register(async (api) => {
    const intake = { ...deps, metrics: createIngestMetrics(deps.metrics), notaryBacklog: notaryBacklog(deps.redis) };
    meterDataRoutes(api, intake);
    deadLetterRedriveRoutes(api, intake);
    registryRoutes(api, { ...deps, serviceJwks });
    for (const service of services) void api.register(service.plugin);
  });
  return app;
}
