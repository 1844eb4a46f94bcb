import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Config } from '@ies/config';
import { IesError } from '@ies/errors';
import { authenticateRead, authenticateWrite, parseSignedJson, recordedWrite, requestPath, sendRecorded, type IdempotencyStore } from '@ies/http/auth';
import type { RegistryState } from '@ies/registry';
import type { KafkaCredentialIssuer } from '../kafka-credentials/issuer.js';
import { ISSUE_KAFKA_CREDENTIAL, LIST_KAFKA_CREDENTIALS, REVOKE_KAFKA_CREDENTIAL } from './kafka-credentials-schemas.js';

export interface KafkaCredentialRouteDeps {
  config: Config;
  registry: RegistryState;
  idempotency: IdempotencyStore;
  /** Undefined when the node issues no credentials (IES_DR_KAFKA_ISSUER unset). */
  issuer: KafkaCredentialIssuer | undefined;
  now: () => number;
}

const ROLES = ['AGGREGATOR', 'DISCOM'] as const;

/**
 * Kafka consumer credentials for aggregators: issued by the aggregator's signed request,
 * revoked by a signed request of that aggregator or of the DISCOM, listed with a bearer
 * token. The secret is in the issuing answer only: the recorded answer (what a replay of the
 * same jti gets) leaves it out.
 */
export function kafkaCredentialRoutes(app: FastifyInstance, deps: KafkaCredentialRouteDeps): void {
  const issuer = (): KafkaCredentialIssuer => {
    if (deps.issuer === undefined) throw new IesError('IES_ERR_NOT_FOUND', 'this node issues no Kafka credentials (IES_DR_KAFKA_ISSUER is not set); read the DR feeds over HTTP or webhooks, or ask the operator');
    return deps.issuer;
  };

  app.register(async (scoped) => {
    scoped.removeAllContentTypeParsers();
    scoped.addContentTypeParser('application/json', { parseAs: 'buffer' }, (_req, body, done) => done(null, body));

    const signed = async (req: FastifyRequest) => {
      const body = req.body as Buffer | undefined;
      const request = { method: req.method, path: requestPath(req.url) };
      const sender = await authenticateWrite(deps.registry, body, req.headers['x-ies-signature'] as string | undefined, { nowMs: deps.now(), maxSkewSeconds: deps.config.auth.maxSkewSeconds, expectedRoles: ROLES, request });
      return { sender, request, body: body as Buffer };
    };

    scoped.post('/v1/dr/kafka-credentials', { schema: ISSUE_KAFKA_CREDENTIAL }, async (req, reply) => {
      const { sender, request, body } = await signed(req);
      if (sender.role !== 'AGGREGATOR') throw new IesError('IES_ERR_ROLE_FORBIDDEN', `Kafka credentials are issued to aggregators, for their own feeds; ${sender.participantId} is ${sender.role}`);
      const ttl = ttlOf(parseSignedJson(body));
      let secret: string | undefined;
      const answer = await recordedWrite(deps.idempotency, sender, request, body, deps.now(), async () => {
        const { credentials } = await issuer().issue(sender.discomId, sender.participantId, sender.participantId, ttl);
        secret = credentials['fulfillment:saslPassword'] as string;
        const { 'fulfillment:saslPassword': _kept, ...recorded } = credentials;
        return { status: 201, body: recorded };
      });
      if (answer.replayed || secret === undefined) return sendRecorded(reply, answer);
      return reply.code(201).send({ ...(answer.body as object), 'fulfillment:saslPassword': secret });
    });

    scoped.delete('/v1/dr/kafka-credentials/:username', { schema: REVOKE_KAFKA_CREDENTIAL }, async (req, reply) => {
      const { sender, request, body } = await signed(req);
      const { username } = req.params as { username: string };
      const answer = await recordedWrite(deps.idempotency, sender, request, body, deps.now(), async () => {
        const record = await issuer().get(sender.discomId, username);
        if (!record || (sender.role === 'AGGREGATOR' && record.aggregatorId !== sender.participantId)) throw new IesError('IES_ERR_NOT_FOUND', `no Kafka credential ${username} of ${sender.participantId} in ${sender.discomId}`);
        await issuer().revoke(sender.discomId, username);
        return { status: 200, body: { username, revoked: true } };
      });
      return sendRecorded(reply, answer);
    });
  });

  app.get('/v1/dr/kafka-credentials', { schema: LIST_KAFKA_CREDENTIALS }, async (req) => {
    const who = await authenticateRead(deps.registry, req.headers.authorization, { audience: deps.config.nodeId, nowMs: deps.now() });
    const role = deps.registry.participant(who.discomId, who.participantId)?.role;
    if (role !== 'AGGREGATOR' && role !== 'DISCOM') throw new IesError('IES_ERR_ROLE_FORBIDDEN', `${who.participantId} (${role ?? 'unregistered'}) holds no Kafka credentials`);
    return { credentials: await issuer().list(who.discomId, role === 'AGGREGATOR' ? who.participantId : undefined) };
  });
}

function ttlOf(request: unknown): number | undefined {
  if (request === null || typeof request !== 'object' || Array.isArray(request)) throw new IesError('IES_ERR_VALIDATION', 'the body must be a JSON object {"ttlSeconds"?: integer}');
  const { ttlSeconds } = request as { ttlSeconds?: unknown };
  if (ttlSeconds !== undefined && !Number.isInteger(ttlSeconds)) throw new IesError('IES_ERR_VALIDATION', `ttlSeconds must be an integer number of seconds, got ${JSON.stringify(ttlSeconds)}`);
  return ttlSeconds as number | undefined;
}

