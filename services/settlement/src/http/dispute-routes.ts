import { signedSettlementWrite, type SignedRequest } from './signed-write.js';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Config } from '@ies/config';
import { IesError } from '@ies/errors';
import { authenticateRead, parseSignedJson, type AuthenticatedWrite, type IdempotencyStore } from '@ies/http/auth';
import type { RegistryState } from '@ies/registry';
import { istDayStart } from '@ies/units';
import { SettlementError } from '../domain/codes.js';
import { DECIDABLE_STATUSES, type DecidableStatus } from '../domain/dispute-lifecycle.js';
import { decideDispute, raiseDispute, readDispute, type DisputeDeps } from '../disputes.js';
import type { DisputeRecord } from '../dispute-store.js';
import type { DecidedFigure } from '../domain/dispute-decision.js';
import { DECIDE_DISPUTE, GET_DISPUTE, LIST_DISPUTES, RAISE_DISPUTE } from './dispute-schemas.js';

export interface DisputeRouteDeps extends DisputeDeps {
  readonly config: Config;
  readonly registry: RegistryState;
  readonly idempotency: IdempotencyStore;
}

/**
 * Who may sign a dispute at all; standing on the lines is checked after (dispute-standing.ts).
 * A PEER_DISCOM (a counterparty DISCOM on another node, registered in the tenant's registry
 * with its settlement keys) raises disputes on the lines towards it, and does nothing else.
 */
const RAISERS = ['DISCOM', 'PLATFORM', 'AGGREGATOR', 'PEER_DISCOM'] as const;
/** Who may sign a decision at all (only the statement DISCOM's desk has standing: dispute-standing.ts); never a PEER_DISCOM. */
const DECIDERS = ['DISCOM', 'PLATFORM', 'AGGREGATOR'] as const;

/**
 * Disputes on calendar run statements: raised by a signed document of a party with
 * standing (a peer DISCOM on another node too, as the tenant's PEER_DISCOM), decided by the
 * signed writes of the statement DISCOM's desk, read by the desk and the raiser
 * (docs/statements.md#disputes).
 */
export function disputeRoutes(app: FastifyInstance, deps: DisputeRouteDeps): void {
  const coded = async <T>(work: () => Promise<T>): Promise<T> => {
    try {
      return await work();
    } catch (err) {
      if (err instanceof SettlementError) throw new IesError(err.code, err.message, { cause: err, ...(err.problems.length ? { details: { problems: err.problems } } : {}) });
      throw err;
    }
  };
  // A PEER_DISCOM reads one thing on this node: a dispute it raised (`admitPeerDiscom` on that route only).
  const reader = async (authorization: string | undefined, admitPeerDiscom = false) => {
    const who = await authenticateRead(deps.registry, authorization, { audience: deps.config.nodeId, nowMs: deps.now(), admitPeerDiscom });
    return { ...who, role: deps.registry.participant(who.discomId, who.participantId)?.role ?? 'UNKNOWN' };
  };

  app.get('/v1/disputes', { schema: LIST_DISPUTES }, async (req) => {
    const who = await reader(req.headers.authorization);
    if (who.role !== 'DISCOM') throw new IesError('IES_ERR_STATEMENT_ROLE_FORBIDDEN', `${who.participantId} has role ${who.role}; the disputes of ${who.discomId}'s day are for its settlement desk`);
    const { day } = req.query as { day: string };
    if (istDayStart(day) === undefined) throw new IesError('IES_ERR_VALIDATION', `day ${JSON.stringify(day)} is not a calendar date YYYY-MM-DD`);
    return { discomId: who.discomId, day, disputes: (await deps.disputes.ofDay(who.discomId, day)).map(view) };
  });

  app.get('/v1/disputes/:id', { schema: GET_DISPUTE }, async (req) => {
    const who = await reader(req.headers.authorization, true);
    const { id } = req.params as { id: string };
    const discomId = (req.query as { discom?: string }).discom ?? who.discomId;
    const { record, history } = await coded(() => readDispute(deps, who, discomId, id));
    return { dispute: view(record), history };
  });

  app.register(async (scoped) => {
    scoped.removeAllContentTypeParsers();
    scoped.addContentTypeParser('application/json', { parseAs: 'buffer' }, (_req, body, done) => done(null, body));
    const signedWrite = (roles: readonly string[], req: FastifyRequest, reply: FastifyReply, work: (sender: AuthenticatedWrite, body: Buffer, signed: SignedRequest) => Promise<{ status: number; body: unknown }>) =>
      signedSettlementWrite(deps, req, reply, { roles, noStanding: 'IES_ERR_DISPUTE_NO_STANDING' }, (sender, body, signed) => coded(() => work(sender, body, signed)));

    scoped.post('/v1/disputes', { schema: RAISE_DISPUTE }, async (req, reply) => signedWrite(RAISERS, req, reply, async (sender, body, signed) => ({
      status: 201, body: view(await raiseDispute(deps, sender, body, signed)),
    })));

    scoped.post('/v1/disputes/:id/decisions', { schema: DECIDE_DISPUTE }, async (req, reply) => signedWrite(DECIDERS, req, reply, async (sender, body, signed) => {
      const request = parseSignedJson(body);
      if (request === null || typeof request !== 'object' || Array.isArray(request)) throw new IesError('IES_ERR_VALIDATION', 'the body must be a JSON object {"status": "UNDER_REVIEW" | "UPHELD" | "REJECTED", "reason"?: …}');
      const { status, reason, decided, ...rest } = request as { status?: unknown; reason?: unknown; decided?: unknown };
      if (Object.keys(rest).length > 0) throw new IesError('IES_ERR_VALIDATION', `unknown member(s) ${Object.keys(rest).join(', ')}`);
      const figure = (f: unknown) => f !== null && typeof f === 'object' && !Array.isArray(f) && Object.keys(f).every((k) => k === 'amountPaise' || k === 'quantityWh') && Number.isSafeInteger((f as { amountPaise?: unknown }).amountPaise) && ((f as { quantityWh?: unknown }).quantityWh === undefined || Number.isSafeInteger((f as { quantityWh?: unknown }).quantityWh));
      if (decided !== undefined && (!Array.isArray(decided) || decided.length > 500 || !decided.every(figure))) throw new IesError('IES_ERR_VALIDATION', '"decided" must be an array of {"amountPaise": integer, "quantityWh"?: integer}, one per disputed line in order');
      if (typeof status !== 'string' || !(DECIDABLE_STATUSES as readonly string[]).includes(status)) throw new IesError('IES_ERR_VALIDATION', `"status" must be one of ${DECIDABLE_STATUSES.join(', ')} (APPLIED is the next run's)`);
      if (reason !== undefined && (typeof reason !== 'string' || reason.length > 2000)) throw new IesError('IES_ERR_VALIDATION', '"reason" must be a string of at most 2000 characters');
      const { id } = req.params as { id: string };
      return { status: 200, body: view(await decideDispute(deps, sender, sender.discomId, id, status as DecidableStatus, (reason as string | undefined) ?? null, signed, decided as DecidedFigure[] | undefined)) };
    }));
  });
}

function view(r: DisputeRecord) {
  return {
    disputeId: r.disputeId, discomId: r.discomId, statementId: r.statementId, day: r.day, type: r.document.type, status: r.status,
    raisedBy: r.raisedBy, raisedAt: new Date(r.raisedAt).toISOString(), adjustments: r.adjustments, decided: r.decided ?? null, proven: r.proven, appliedIn: r.appliedIn, document: r.document,
  };
}
