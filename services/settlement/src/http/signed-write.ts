import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Config } from '@ies/config';
import { IesError, type ErrorCode } from '@ies/errors';
import { authenticateWrite, recordedWrite, requestPath, sendRecorded, type AuthenticatedWrite, type IdempotencyStore } from '@ies/http/auth';
import type { RegistryState } from '@ies/registry';

/** What a settlement decision keeps of the request that made it: the detached JWS, the body (base64url) and the key. */
export interface SignedRequest {
  readonly jws: string;
  readonly body: string;
  readonly kid: string;
}

/**
 * One signed settlement write (a statement transition, a dispute and its decisions): the
 * detached JWS bound to method and path, by a registered key of one of `roles` (a key of
 * another role answers `noStanding`), its jti recorded so a replay gets the first answer, and
 * the signed request handed to `work` to be kept with what it decides. The route's scope must
 * take its JSON body as raw bytes (the signature covers them).
 */
export async function signedSettlementWrite(
  deps: { config: Config; registry: RegistryState; idempotency: IdempotencyStore; now: () => number },
  req: FastifyRequest,
  reply: FastifyReply,
  rules: { roles: readonly string[]; noStanding: ErrorCode },
  work: (sender: AuthenticatedWrite, body: Buffer, signed: SignedRequest) => Promise<{ status: number; body: unknown }>,
): Promise<FastifyReply> {
  const body = req.body as Buffer | undefined;
  const request = { method: req.method, path: requestPath(req.url) };
  const signature = req.headers['x-ies-signature'] as string | undefined;
  let sender: AuthenticatedWrite;
  try {
    sender = await authenticateWrite(deps.registry, body, signature, { nowMs: deps.now(), maxSkewSeconds: deps.config.auth.maxSkewSeconds, expectedRoles: rules.roles, request });
  } catch (err) {
    // A registered key of another role has no standing here.
    if (err instanceof IesError && err.code === 'IES_ERR_TENANT_FORBIDDEN') throw new IesError(rules.noStanding, err.message, { cause: err });
    throw err;
  }
  const answer = await recordedWrite(deps.idempotency, sender, request, body as Buffer, deps.now(), () => work(sender, body as Buffer, { jws: signature as string, body: (body as Buffer).toString('base64url'), kid: sender.kid }));
  return sendRecorded(reply, answer);
}
