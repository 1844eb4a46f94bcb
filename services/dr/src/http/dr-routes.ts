import type { FastifyInstance } from 'fastify';
import type { Config } from '@ies/config';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { IesError } from '@ies/errors';
import { authenticateRead, authenticateWrite, parseSignedJson, recordedWrite, requestPath, sendRecorded, type AuthenticatedWrite, type IdempotencyStore } from '@ies/http/auth';
import type { RegistryState } from '@ies/registry';
import { compareCodePoints, normaliseDrEvent, participatingMetersDigest, type DrEvent } from '../domain/event.js';
import { LATE_ENTRY_ROLES, dispatchTiming } from '../domain/late-entry.js';
import type { PolicyRegistry } from '../domain/policy-registry.js';
import type { DrEventRecord, DrEventStore } from '../event-store.js';
import { loadRoutes, type LoadRouteDeps } from './load-routes.js';
import { CREATE_EVENT, GET_BASELINES, GET_EVENT, GET_PERFORMANCE, TRANSITION_EVENT } from './schemas.js';

export interface DrRouteDeps {
  config: Config;
  registry: RegistryState;
  drEvents: DrEventStore;
  policies: PolicyRegistry;
  /** Baselines of an event as stored by the baseline service (ClickHouse). */
  baselines: (discomId: string, eventId: string) => Promise<unknown[]>;
  performance: (discomId: string, eventId: string) => Promise<Record<string, unknown> | undefined>;
  /** Every signed write's jti is recorded (replay = the first answer, never a second effect). */
  idempotency: IdempotencyStore;
  /**
   * Throws a retriable error while the tenant's DR store is being rebuilt from dr-events.v1
   * (Redis lost it): a replayed write must not find the event missing and record it again.
   */
  requireStoreWhole: (discomId: string) => Promise<void>;
  now: () => number;
}

const WRITE_ROLES = ['AGGREGATOR', 'DISCOM'] as const;
/** Transitions a participant may ask for; BASELINED, MEASURED and SETTLED are made by the services. */
const REQUESTABLE = ['ACTIVE', 'CANCELLED'];

/**
 * DR events: created (DRAFT) and moved (ACTIVE, CANCELLED) by signed writes of the enrolled
 * aggregator or the DISCOM; read with a bearer token by the same parties. Every transition
 * is on dr-events.v1 before the answer is sent.
 */
export function drRoutes(app: FastifyInstance, deps: DrRouteDeps & LoadRouteDeps): void {
  app.register(async (scoped) => {
    scoped.removeAllContentTypeParsers();
    scoped.addContentTypeParser('application/json', { parseAs: 'buffer' }, (_req, body, done) => done(null, body));

    /** A signed write: authenticated, bound to this request, its jti recorded; the answer replayed for the same request. */
    const signedWrite = async (req: FastifyRequest, reply: FastifyReply, work: (sender: AuthenticatedWrite, body: Buffer) => Promise<{ status: number; body: unknown }>) => {
      const body = req.body as Buffer | undefined;
      const request = { method: req.method, path: requestPath(req.url) };
      const sender = await authenticateWrite(deps.registry, body, req.headers['x-ies-signature'] as string | undefined, { nowMs: deps.now(), maxSkewSeconds: deps.config.auth.maxSkewSeconds, expectedRoles: WRITE_ROLES, request });
      await deps.requireStoreWhole(sender.discomId);
      const answer = await recordedWrite(deps.idempotency, sender, request, body as Buffer, deps.now(), () => work(sender, body as Buffer));
      return sendRecorded(reply, answer);
    };

    scoped.post('/v1/dr/events', { schema: CREATE_EVENT }, async (req, reply) => signedWrite(req, reply, async (sender, body) => {
      const event = withMeters(normaliseDrEvent(parseSignedJson(body), { policies: deps.policies }), sender.discomId, deps.registry);
      mayActFor(deps.registry, sender, event.aggregatorId);
      const late = lateEntry(sender, event, deps.now());
      const { record, created } = await deps.drEvents.create(sender.discomId, event, sender.participantId, deps.now(), late);
      return { status: created ? 201 : 200, body: view(record) };
    }));

    scoped.post('/v1/dr/events/:eventId/transitions', { schema: TRANSITION_EVENT }, async (req, reply) => signedWrite(req, reply, async (sender, body) => {
      const request = parseSignedJson(body);
      if (request === null || typeof request !== 'object' || Array.isArray(request)) throw new IesError('IES_ERR_VALIDATION', `the body must be a JSON object {"to": …, "reason"?: …}, got ${request === null ? 'null' : Array.isArray(request) ? 'an array' : typeof request}`);
      const { to, reason } = request as { to?: unknown; reason?: unknown };
      if (typeof to !== 'string' || !REQUESTABLE.includes(to)) throw new IesError('IES_ERR_VALIDATION', `"to" must be one of ${REQUESTABLE.join(', ')} (the services make the other transitions)`);
      if (reason !== undefined && typeof reason !== 'string') throw new IesError('IES_ERR_VALIDATION', '"reason" must be a string');
      const { eventId } = req.params as { eventId: string };
      const current = await deps.drEvents.get(sender.discomId, eventId);
      if (!current) throw new IesError('IES_ERR_NOT_FOUND', `no DR event ${eventId} in ${sender.discomId}`);
      mayActFor(deps.registry, sender, current.aggregatorId);
      if (current.state === to) return { status: 200, body: view(current) }; // already there
      const late = to === 'ACTIVE' ? lateEntry(sender, current.event, deps.now()) : null;
      const why = [late, reason ?? null].filter((r): r is string => r !== null).join('; ') || null;
      return { status: 200, body: view(await deps.drEvents.transition(sender.discomId, eventId, to as 'ACTIVE' | 'CANCELLED', sender.participantId, deps.now(), why)) };
    }));
  });

  const readable = async (authorization: string | undefined, eventId: string): Promise<DrEventRecord> => {
    const who = await authenticateRead(deps.registry, authorization, { audience: deps.config.nodeId, nowMs: deps.now() });
    const record = await deps.drEvents.get(who.discomId, eventId);
    const role = deps.registry.participant(who.discomId, who.participantId)?.role;
    // An aggregator sees only its own events; the DISCOM sees all of its tenant's.
    if (!record || (role !== 'DISCOM' && record.aggregatorId !== who.participantId)) throw new IesError('IES_ERR_NOT_FOUND', `no DR event ${eventId} visible to ${who.participantId}`);
    return record;
  };

  app.get('/v1/dr/events/:eventId', { schema: GET_EVENT }, async (req) => view(await readable(req.headers.authorization, (req.params as { eventId: string }).eventId)));

  app.get('/v1/dr/events/:eventId/baselines', { schema: GET_BASELINES }, async (req, reply) => {
    const record = await readable(req.headers.authorization, (req.params as { eventId: string }).eventId);
    const rows = await deps.baselines(record.discomId, record.eventId);
    if (rows.length === 0) {
      if (record.state === 'ACTIVE') return reply.code(202).header('retry-after', '2').send({ eventId: record.eventId, state: record.state, detail: 'baselines are being computed' });
      throw new IesError('IES_ERR_NOT_FOUND', `DR event ${record.eventId} is ${record.state}: it has no baselines`);
    }
    return { eventId: record.eventId, state: record.state, methodology: record.event.methodology.ref, baselines: rows };
  });
  performanceRoute(app, deps, readable);
  loadRoutes(app, deps, readable);
}

export function performanceRoute(app: FastifyInstance, deps: DrRouteDeps, readable: (authorization: string | undefined, eventId: string) => Promise<DrEventRecord>): void {
  app.get('/v1/dr/events/:eventId/performance', { schema: GET_PERFORMANCE }, async (req, reply) => {
    const record = await readable(req.headers.authorization, (req.params as { eventId: string }).eventId);
    const perf = await deps.performance(record.discomId, record.eventId);
    if (!perf) {
      if (record.state === 'BASELINED') return reply.code(202).header('retry-after', '60').send({ eventId: record.eventId, state: record.state, detail: 'measured after the window closes and its reads arrive' });
      throw new IesError('IES_ERR_NOT_FOUND', `DR event ${record.eventId} is ${record.state}: it has no measured performance`);
    }
    return { state: record.state, ...perf };
  });
}

function view(r: DrEventRecord) {
  return { eventId: r.eventId, discomId: r.discomId, state: r.state, version: r.version, aggregatorId: r.aggregatorId, programmeId: r.programmeId, event: r.event, history: r.history };
}


/** Null when the event is dispatched ahead of its window; the late-entry reason when the DISCOM enters it late; refused otherwise. */
function lateEntry(sender: AuthenticatedWrite, event: DrEvent, nowMs: number): string | null {
  const timing = dispatchTiming(event.start, nowMs);
  if (!timing.late) return null;
  if (!LATE_ENTRY_ROLES.includes(sender.role)) {
    throw new IesError('IES_ERR_DR_EVENT_LATE', `DR event ${event.eventId}: its window started ${new Date(event.start).toISOString()}, before this request (${new Date(nowMs).toISOString()}); events are dispatched ahead of their window, and only the DISCOM may enter one late`);
  }
  return timing.reason;
}

function mayActFor(registry: RegistryState, sender: { discomId: string; participantId: string }, aggregatorId: string): void {
  const role = registry.participant(sender.discomId, sender.participantId)?.role;
  if (role === 'AGGREGATOR' && sender.participantId !== aggregatorId) throw new IesError('IES_ERR_TENANT_FORBIDDEN', `aggregator ${sender.participantId} may not act for ${aggregatorId}'s events`);
}

/**
 * The event's meters must all be actively enrolled with its aggregator in its programme.
 * An event that names only the DEG digest takes the enrolled meters, and the digest must
 * match them.
 */
function withMeters(event: DrEvent, discomId: string, registry: RegistryState): DrEvent {
  if (registry.participant(discomId, event.aggregatorId)?.role !== 'AGGREGATOR') throw new IesError('IES_ERR_DR_EVENT_INVALID', `aggregatorId ${event.aggregatorId} is not a registered aggregator of ${discomId}`);
  if (event.participatingMeters === null) {
    const enrolled = registry.enrolledMeters(discomId, event.programmeId, event.aggregatorId);
    if (enrolled.length === 0 || participatingMetersDigest(enrolled) !== event.participatingMetersDigest) {
      throw new IesError('IES_ERR_DR_EVENT_INVALID', `participatingMetersDigest does not match the ${enrolled.length} meters enrolled with ${event.aggregatorId} in ${event.programmeId}; list the meters instead`);
    }
    return { ...event, participatingMeters: [...enrolled].sort(compareCodePoints), meterCount: enrolled.length };
  }
  const refused = event.participatingMeters.filter((m) => {
    const e = registry.enrolment(discomId, event.programmeId, m);
    return e?.aggregatorId !== event.aggregatorId || e.status !== 'ACTIVE';
  });
  if (refused.length > 0) {
    throw new IesError('IES_ERR_DR_EVENT_INVALID', `${refused.length} of ${event.meterCount} meters are not enrolled with ${event.aggregatorId} in ${event.programmeId}: ${refused.slice(0, 10).join(', ')}${refused.length > 10 ? ', …' : ''}`, { details: { notEnrolled: refused.slice(0, 1000) } });
  }
  return event;
}
