import { createHash } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { checkRequestBinding, verifyDetached } from '@ies/crypto';
import { IesError } from '@ies/errors';
import { documentRecord, keyRegistrationConflict, parseRegistryDocument, publishDocument, readOperatorKeys } from '@ies/registry';
import { authenticateRead, requestPath } from '@ies/http/auth';
import type { WriteDeps } from '../deps.js';
import { APPLY_REGISTRY, JWKS, WHOAMI } from './schemas/registry.js';

export type RegistryRouteDeps = WriteDeps & {
  /** The public keys the services publish for a tenant (notary, settlement, webhook signing), in the order listed. */
  serviceJwks: (discomId: string) => Promise<readonly object[]>;
};

export function registryRoutes(app: FastifyInstance, deps: RegistryRouteDeps): void {
  app.register(async (scoped) => {
    scoped.removeAllContentTypeParsers();
    scoped.addContentTypeParser(['application/yaml', 'text/yaml', 'application/json'], { parseAs: 'buffer' }, (_req, body, done) => done(null, body));
    /** POST /v1/registry: a registry document signed by the node operator (`ies registry apply`). */
    scoped.post('/v1/registry', { schema: APPLY_REGISTRY }, async (req, reply) => {
      const body = req.body as Buffer;
      const signature = req.headers['x-ies-signature'] as string | undefined;
      if (!signature) throw new IesError('IES_ERR_AUTH_MISSING', 'registry documents must carry the node operator\'s X-IES-Signature');
      if (!Buffer.isBuffer(body)) throw new IesError('IES_ERR_VALIDATION', 'a registry document needs a body (YAML or JSON, the bytes the signature covers)');
      const keys = await readOperatorKeys(deps.config.auth.operatorJwksFile);
      const header = await verifyDetached(body, signature, (kid) => keys.get(kid));
      // A captured operator document must not be replayable (it could re-activate a revoked key).
      const nowMs = deps.now();
      const skew = header.iat - Math.floor(nowMs / 1000);
      if (!Number.isInteger(header.iat) || Math.abs(skew) > deps.config.auth.maxSkewSeconds) {
        throw new IesError('IES_ERR_SIGNATURE_STALE', `registry document iat ${header.iat} is ${Math.abs(skew)} s from the node clock (allowed ±${deps.config.auth.maxSkewSeconds} s)`);
      }
      if (typeof header.jti !== 'string' || header.jti.length === 0) throw new IesError('IES_ERR_SIGNATURE_INVALID', 'registry documents need a jti');
      // Versions come from the operator's signing time, so a later document wins.
      const entries = parseRegistryDocument(body.toString('utf8'), header.iat * 1000);
      // Bound to this request and to the document's DISCOM, like every signed write.
      checkRequestBinding(header, { htm: req.method, htu: requestPath(req.url), tenant: entries[0]?.discomId ?? '' });
      const bodySha256 = createHash('sha256').update(body).digest('hex');
      const claim = await deps.idempotency.claim('NODE', `operator:${header.kid}`, header.jti, bodySha256, nowMs);
      if (!claim.claimed) throw new IesError('IES_ERR_REPLAY_CONFLICT', `registry document jti ${header.jti} was already applied`);
      const conflict = keyRegistrationConflict(deps.registry, entries);
      if (conflict !== undefined) throw new IesError('IES_ERR_REGISTRY_INVALID', conflict);
      const discomId = entries[0]?.discomId;
      if (discomId !== undefined && !deps.config.tenants.includes(discomId)) {
        throw new IesError('IES_ERR_TENANT_FORBIDDEN', `DISCOM ${discomId} is not a tenant of this node (IES_TENANTS=${deps.config.tenants.join(',')})`);
      }
      // The document goes to the log as signed, so every reader re-verifies the operator's
      // signature before applying it: a record forged on the topic is refused (docs/topics.md).
      if (discomId !== undefined) await publishDocument(deps.producer, deps.serde, documentRecord(discomId, { body, signature }, header.iat));
      // Read-your-writes on this replica; every replica also applies them from the log.
      for (const e of entries) deps.registry.apply(e);
      await deps.idempotency.complete('NODE', `operator:${header.kid}`, header.jti, claim.token, bodySha256, 200, null);
      const count = (kind: string) => entries.filter((e) => e.kind === kind).length;
      return reply.status(200).send({ discomId, applied: entries.length, participants: count('PARTICIPANT'), keys: count('KEY'), meters: count('METER') });
    });
  });

  /** GET /v1/whoami: who a bearer token identifies (to check a participant's token set-up). */
  app.get('/v1/whoami', { schema: WHOAMI }, async (req) => {
    return authenticateRead(deps.registry, req.headers.authorization, { audience: deps.config.nodeId, nowMs: deps.now() });
  });

  /** GET /.well-known/jwks.json?discom=…: a tenant's registered public keys with their status. */
  app.get('/.well-known/jwks.json', { schema: JWKS }, async (req) => {
    const discom = (req.query as { discom?: string }).discom ?? (deps.config.tenants.length === 1 ? deps.config.tenants[0] : undefined);
    if (discom === undefined || !deps.config.tenants.includes(discom)) {
      throw new IesError('IES_ERR_NOT_FOUND', `name a tenant with ?discom= (one of ${deps.config.tenants.join(', ')})`);
    }
    // The tenant's registered participant keys, then the keys its services publish: its
    // notary's (receipts, checkpoints), its settlement keys and the node's webhook-signing key.
    const registered = deps.registry.jwks(discom);
    return { ...registered, keys: [...registered.keys, ...(await deps.serviceJwks(discom))] };
  });
}
