import { createHash, randomBytes } from 'node:crypto';
import type { FastifyInstance, FastifySchema } from 'fastify';
import { IesError } from '@ies/errors';
import type { NodeContext } from '@ies/http';
import { authenticateRead } from '@ies/http/auth';

/** How long a link's code may wait to be opened: a link is for now, not for later. */
export const SIGN_IN_LINK_TTL_MS = 60_000;

const HIDDEN = { hide: true } as FastifySchema;
const CODE = /^[\w-]{43}$/;
const keyOf = (code: string) => `ies:console:sign-in-link:${createHash('sha256').update(code).digest('hex')}`;

/**
 * One-time sign-in links for the local stack and the demo (`ies console --as`), on only where
 * `IES_CONSOLE_SIGN_IN_LINKS=true` (refused at start unless the node listens on loopback).
 *
 * `POST /console/sign-in-links` with `Authorization: Bearer <token>`: the token (an ordinary
 * API bearer token, checked against the registry like any read) is parked in Redis under a
 * random 256-bit code for at most 60 s (or until the token expires). `POST /console/sign-in`
 * with `{ "code": … }` hands it out once: GETDEL is atomic, so a second use of the same link,
 * even a concurrent one, gets 401 and no token. Redis keeps only the code's SHA-256, so a Redis
 * dump does not give out links. The code travels in the URL fragment and a POST body, never
 * in a URL a server logs.
 */
export function signInLinkRoutes(app: FastifyInstance, ctx: Pick<NodeContext, 'config' | 'registry' | 'redis' | 'now'>): void {
  app.post('/console/sign-in-links', { schema: HIDDEN }, async (req, reply) => {
    const now = ctx.now();
    const who = await authenticateRead(ctx.registry, req.headers.authorization, { audience: ctx.config.nodeId, nowMs: now });
    const token = (req.headers.authorization as string).slice('Bearer '.length);
    const exp = (JSON.parse(Buffer.from(token.split('.')[1] as string, 'base64url').toString('utf8')) as { exp?: number }).exp;
    const ttlMs = Math.min(SIGN_IN_LINK_TTL_MS, exp === undefined ? SIGN_IN_LINK_TTL_MS : exp * 1000 - now);
    if (ttlMs < 1_000) throw new IesError('IES_ERR_TOKEN_INVALID', `the token of ${who.participantId} expires in ${ttlMs} ms; a link needs one valid for at least 1 s`);
    const code = randomBytes(32).toString('base64url');
    await ctx.redis.set(keyOf(code), token, 'PX', ttlMs);
    return reply.status(201).send({ code, participantId: who.participantId, discomId: who.discomId, expiresAt: now + ttlMs });
  });
  app.post('/console/sign-in', { schema: HIDDEN }, async (req) => {
    const code = (req.body as { code?: unknown } | null)?.code;
    if (typeof code !== 'string' || !CODE.test(code)) throw new IesError('IES_ERR_VALIDATION', 'the body must be {"code": "<the code of a sign-in link>"}');
    const token = await ctx.redis.getdel(keyOf(code));
    if (token === null) throw new IesError('IES_ERR_TOKEN_INVALID', `this sign-in link was already used or has expired (a link works once, within ${SIGN_IN_LINK_TTL_MS / 1000} s); run ies console --as again for a new one`);
    return { token };
  });
}
