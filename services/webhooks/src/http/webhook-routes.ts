import type { FastifyInstance, FastifyRequest, FastifySchema } from 'fastify';
import { IesError, problemResponses } from '@ies/errors';
import type { WebhookRegistry } from '../webhook-registry.js';

export interface AuthenticatedParticipant {
  discomId: string;
  participantId: string;
  role: string;
}

export interface WebhookRouteDeps {
  /** Who sent the request (the gateway's authentication); throws an IesError when nobody. */
  authenticate(req: FastifyRequest): AuthenticatedParticipant | Promise<AuthenticatedParticipant>;
  webhooks: WebhookRegistry;
  now?: () => number;
}

const urlBody = {
  type: 'object',
  required: ['url'],
  additionalProperties: false,
  properties: { url: { type: 'string', minLength: 1, maxLength: 2048 } },
} as const;

/** A registration as answered (open: nothing is filtered). */
const registration = {
  type: 'object',
  required: ['aggregatorId', 'url'],
  additionalProperties: true,
  properties: { aggregatorId: { type: 'string' }, url: { type: 'string' } },
} as const;

/** `summary`, `tags` and `security` are read by @fastify/swagger in the gateway; fastify's own types do not know them. */
const documented = (summary: string, schema: FastifySchema & { response: Record<number, object> }): FastifySchema =>
  ({ summary, tags: ['dr'], security: [{ bearer: [] }], ...schema }) as FastifySchema;

/**
 * An aggregator's own webhook: PUT registers or replaces it, GET shows it, DELETE removes
 * it. Only AGGREGATOR participants have one; the URL rules are in domain/webhook-url.ts.
 */
export function webhookRoutes(app: FastifyInstance, deps: WebhookRouteDeps): void {
  const aggregator = async (req: FastifyRequest): Promise<AuthenticatedParticipant> => {
    const who = await deps.authenticate(req);
    if (who.role !== 'AGGREGATOR') throw new IesError('IES_ERR_TENANT_FORBIDDEN', `participant ${who.participantId} (${who.role}) may not have a DR webhook; only AGGREGATOR participants do`);
    return who;
  };

  app.put('/v1/dr/webhook', { schema: documented('Register (or replace) the calling aggregator’s DR webhook', { body: urlBody, response: { 200: { description: 'Registered', ...registration }, ...problemResponses(400, 401, 403, 413, 415, 422, 503) } }) }, async (req) => {
    const who = await aggregator(req);
    const registration = await deps.webhooks.registerWebhook(who.discomId, who.participantId, (req.body as { url: string }).url, (deps.now ?? Date.now)());
    return { aggregatorId: who.participantId, ...registration };
  });

  app.get('/v1/dr/webhook', { schema: documented('The calling aggregator’s DR webhook', { response: { 200: { description: 'The registration', ...registration }, ...problemResponses(401, 403, 404, 503) } }) }, async (req) => {
    const who = await aggregator(req);
    const registration = await deps.webhooks.get(who.discomId, who.participantId);
    if (!registration) throw new IesError('IES_ERR_NOT_FOUND', `aggregator ${who.participantId} has no DR webhook in ${who.discomId}`);
    return { aggregatorId: who.participantId, ...registration };
  });

  app.delete('/v1/dr/webhook', { schema: documented('Remove the calling aggregator’s DR webhook', { response: { 204: { description: 'Removed', type: 'null' }, ...problemResponses(400, 401, 403, 404, 415, 503) } }) }, async (req, reply) => {
    const who = await aggregator(req);
    if (!(await deps.webhooks.unregister(who.discomId, who.participantId))) throw new IesError('IES_ERR_NOT_FOUND', `aggregator ${who.participantId} has no DR webhook in ${who.discomId}`);
    return reply.code(204).send();
  });
}
