import { createHash } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { IesError } from '@ies/errors';
import { problemResponses } from '@ies/errors';
import type { Config } from '@ies/config';
import { authenticateWrite, parseSignedJson, requestPath, type IdempotencyStore } from '@ies/http/auth';
import { SIGNED, SIGNED_BODY_NOTE, SIGNED_WRITE_ERRORS, STRING, doc, open } from '@ies/http/openapi';
import type { RegistryState } from '@ies/registry';
import type { ClientSecrets } from './client-secrets.js';
import { clientIdOf } from './projection.js';
import { OPENADR_PREFIX } from './vtn-routes.js';

export interface ClientRouteDeps {
  config: Config;
  registry: RegistryState;
  idempotency: IdempotencyStore;
  secrets: ClientSecrets;
  now: () => number;
}

const ISSUE_SECRET = doc({
  summary: 'Issue an OpenADR client secret for an aggregator or the DISCOM’s DR desk (signed by the DISCOM)',
  description: `The answer carries the secret once; the node keeps only its SHA-256, and a new secret replaces the previous one. The jti is recorded: the same signed request again is 409, it never shows the secret twice. ${SIGNED_BODY_NOTE}`,
  tags: ['dr'],
  security: SIGNED,
  rawBody: { description: 'The participant, byte for byte as signed', content: { 'application/json': { schema: open({ participantId: STRING }, ['participantId']) } } },
  response: {
    201: { description: 'The client id and its new secret (shown once)', ...open({ clientId: STRING, clientSecret: STRING, tokenUrl: STRING }, ['clientId', 'clientSecret', 'tokenUrl']) },
    ...problemResponses(...SIGNED_WRITE_ERRORS, 404, 422),
  },
});

/**
 * POST /v1/dr/openadr-clients: the DISCOM provisions the OAuth2 client secret of one of its
 * aggregators (a VEN) or DISCOM participants (the BL). The write is signed like every
 * write, but its answer is not stored in the write ledger (that would keep the secret):
 * the jti is claimed, and a replay is refused.
 */
export function clientRoutes(app: FastifyInstance, deps: ClientRouteDeps): void {
  void app.register(async (scoped) => {
    scoped.removeAllContentTypeParsers();
    scoped.addContentTypeParser('application/json', { parseAs: 'buffer' }, (_req, body, done) => done(null, body));
    scoped.post('/v1/dr/openadr-clients', { schema: ISSUE_SECRET }, async (req, reply) => {
      const body = req.body as Buffer | undefined;
      const request = { method: req.method, path: requestPath(req.url) };
      const sender = await authenticateWrite(deps.registry, body, req.headers['x-ies-signature'] as string | undefined, { nowMs: deps.now(), maxSkewSeconds: deps.config.auth.maxSkewSeconds, expectedRoles: ['DISCOM'], request });
      const parsed = parseSignedJson(body as Buffer) as { participantId?: unknown } | null;
      const participantId = parsed !== null && typeof parsed === 'object' ? parsed.participantId : undefined;
      if (typeof participantId !== 'string') throw new IesError('IES_ERR_VALIDATION', 'the body must be {"participantId": "<aggregator or DISCOM participant id>"}');
      const role = deps.registry.participant(sender.discomId, participantId)?.role;
      if (role !== 'AGGREGATOR' && role !== 'DISCOM') throw new IesError('IES_ERR_NOT_FOUND', `${participantId} is not a registered aggregator or DISCOM participant of ${sender.discomId}`);
      const digest = createHash('sha256').update(`${request.method} ${request.path}\n`).update(body as Buffer).digest('hex');
      const claim = await deps.idempotency.claim(sender.discomId, sender.participantId, sender.jti, digest, deps.now());
      if (!claim.claimed) throw new IesError('IES_ERR_REPLAY_CONFLICT', `jti ${sender.jti} was already used; a client secret is shown once: sign a new request (new jti) to issue another`);
      const clientSecret = await deps.secrets.issue(sender.discomId, participantId, sender.participantId, deps.now());
      const clientId = clientIdOf(sender.discomId, participantId);
      await deps.idempotency.complete(sender.discomId, sender.participantId, sender.jti, claim.token, digest, 201, { clientId, issued: true });
      return reply.code(201).header('cache-control', 'no-store').send({ clientId, clientSecret, tokenUrl: `${req.protocol}://${req.host}${OPENADR_PREFIX}/auth/token` });
    });
  });
}
