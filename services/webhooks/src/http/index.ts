import { authenticateRead } from '@ies/http/auth';
import type { NodeContext, ServiceHttp } from '@ies/http';
import { webhookKeys } from '../redis-keys.js';
import { WebhookRegistry } from '../webhook-registry.js';
import { webhookRoutes } from './webhook-routes.js';

export { webhookRoutes, type AuthenticatedParticipant, type WebhookRouteDeps } from './webhook-routes.js';

/**
 * The webhooks' front door: an aggregator registers, reads and removes its DR webhook (bearer
 * token); the node's webhook signing key, which signs every delivery, goes into the JWKS.
 */
export function webhooksHttp(ctx: NodeContext): ServiceHttp {
  const { config, registry, redis, now } = ctx;
  const webhooks = new WebhookRegistry(redis, { allowLoopbackHttp: config.dr.allowLoopbackWebhooks, allowedNetworks: config.dr.webhookAllowedNetworks });
  return {
    name: 'webhooks',
    plugin: async (app) => webhookRoutes(app, {
      webhooks,
      now,
      authenticate: async (req) => {
        const who = await authenticateRead(registry, req.headers.authorization, { audience: config.nodeId, nowMs: now(), maxSkewSeconds: config.auth.maxSkewSeconds });
        return { ...who, role: registry.participant(who.discomId, who.participantId)?.role ?? 'UNKNOWN' };
      },
    }),
    jwks: async () => {
      const raw = await redis.get(webhookKeys.nodePublicKey);
      return raw === null ? [] : [JSON.parse(raw) as object];
    },
    close: async () => {},
  };
}
