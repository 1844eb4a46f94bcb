import { createHash } from 'node:crypto';
import type { FastifyReply } from 'fastify';
import { IesError, PROBLEM_CONTENT_TYPE, toProblem } from '@ies/errors';
import type { IdempotencyStore } from './idempotency.js';
import type { AuthenticatedWrite, WriteRequest } from './write-signature.js';

export interface RecordedAnswer {
  status: number;
  body: unknown;
  /** True when this is the stored answer of an earlier request with the same jti. */
  replayed: boolean;
  problem: boolean;
}

/**
 * Every signed write's `jti` is recorded, as for meter data: the first request with a jti
 * does the work and its answer (success or refusal) is kept for the replay window; the same
 * signed request again gets that answer back and has no second effect; the jti with another
 * method, path or body is 409. A retriable failure (Redis, Kafka) releases the jti so the
 * sender can retry it unchanged.
 */
export async function recordedWrite(
  idempotency: IdempotencyStore,
  sender: AuthenticatedWrite,
  request: WriteRequest,
  body: Uint8Array,
  nowMs: number,
  work: () => Promise<{ status: number; body: unknown }>,
): Promise<RecordedAnswer> {
  const digest = createHash('sha256').update(`${request.method.toUpperCase()} ${request.path}\n`).update(body).digest('hex');
  const claim = await idempotency.claim(sender.discomId, sender.participantId, sender.jti, digest, nowMs);
  if (!claim.claimed) {
    const prior = claim.existing;
    if (prior.bodySha256 !== digest) {
      throw new IesError('IES_ERR_REPLAY_CONFLICT', `jti ${sender.jti} was already used by ${sender.participantId} for another request (sha256 ${prior.bodySha256.slice(0, 16)}… of method, path and body); sign each write with a new jti`);
    }
    if (prior.state === 'PENDING') throw new IesError('IES_ERR_DEPENDENCY_UNAVAILABLE', `write ${sender.jti} is still in progress; retry shortly`, { details: { retryAfterSeconds: 2 } });
    return { status: prior.status, body: prior.response, replayed: true, problem: prior.status >= 400 };
  }
  let answer: { status: number; body: unknown };
  try {
    answer = await work();
  } catch (err) {
    if (err instanceof IesError && !err.retriable) {
      const problem = toProblem(err, request.path);
      await idempotency.complete(sender.discomId, sender.participantId, sender.jti, claim.token, digest, problem.status, problem);
    } else {
      await idempotency.release(sender.discomId, sender.participantId, sender.jti, claim.token);
    }
    throw err;
  }
  await idempotency.complete(sender.discomId, sender.participantId, sender.jti, claim.token, digest, answer.status, answer.body);
  return { ...answer, replayed: false, problem: false };
}

/** Sends a recorded (or replayed) answer: its status and body, problem+json for a refusal, `Idempotent-Replayed` on a replay. */
export function sendRecorded(reply: FastifyReply, answer: { status: number; body: unknown; replayed: boolean; problem: boolean }): FastifyReply {
  if (answer.replayed) void reply.header('idempotent-replayed', 'true');
  if (answer.problem) void reply.type(PROBLEM_CONTENT_TYPE);
  return reply.code(answer.status).send(answer.body);
}
