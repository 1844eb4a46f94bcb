import type { FastifyInstance, FastifyReply, FastifyRequest, FastifySchema } from 'fastify';
import { IesError, toProblem } from '@ies/errors';
import type { Config } from '@ies/config';
import type { RegistryState } from '@ies/registry';
import type { DrEventRecord } from '../event-store.js';
import type { AccessTokens } from './access-token.js';
import type { ClientSecrets } from './client-secrets.js';
import { isObjectId, objectId } from './object-id.js';
import { clientIdOf, programmesOf, toEvent, toProgram, toResource, toVen, VEN_VISIBLE_STATES, type BaselineRow, type PerformanceView } from './projection.js';
import { vtnReportsOf } from './vtn-reports.js';
import { grantScopes, type OpenAdrScope } from './scopes.js';
import type { StoredObject, VtnStore } from './vtn-store.js';
import { checkReportRequest, checkSubscriptionRequest } from './requests.js';
import type { ObjectChange, ObjectType, Operation } from './object-change.js';
import { notifierRoutes } from './notifier-routes.js';

/** Where the VTN is served: the spec's paths under this prefix. */
export const OPENADR_PREFIX = '/openadr/3.1';
/** The spec's page size bound (`limit` maximum 50). */
const MAX_LIMIT = 50;
const CLIENT_ASSERTION_TYPE = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';

export interface VtnDeps {
  config: Config;
  registry: RegistryState;
  events: { list(discomId: string): Promise<DrEventRecord[]> };
  baselines: (discomId: string, eventId: string) => Promise<BaselineRow[]>;
  performance: (discomId: string, eventId: string) => Promise<PerformanceView | undefined>;
  /** Latest usable import Wh per meter and interval of the event (what performance was measured on). */
  usage: (record: DrEventRecord, meterIds: readonly string[]) => Promise<Map<string, (number | null)[]>>;
  tokens: AccessTokens;
  secrets: ClientSecrets;
  /** RFC 7523 client assertion: the participant a JWT signed by its registered key names (null when it does not verify). */
  assertion: (jwt: string, audience: string) => Promise<{ discomId: string; participantId: string } | null>;
  store: VtnStore;
  /** Where the objects written here are announced (subscriptions' callbacks, MQTT); absent = not announced. */
  changes?: { deliver(changes: readonly ObjectChange[]): Promise<void> };
  /** The MQTT notifier binding's broker URIs (GET /notifiers); empty = webhooks only. */
  mqttUris: readonly string[];
  now: () => number;
}

export interface VtnViewer {
  discomId: string;
  participantId: string;
  clientId: string;
  bl: boolean;
  scopes: readonly OpenAdrScope[];
}

type Query = Record<string, string | string[] | undefined>;
/** Left out of /openapi.json: the contract of these routes is openadr3.yaml. */
const HIDDEN = { schema: { hide: true } as FastifySchema };

/**
 * The OpenADR 3.1 VTN (openadr3.yaml) as a projection of our DR model: programs, events,
 * reports, VENs and resources are computed from the registry and the DR stores on each
 * request; VEN reports and subscriptions are the only objects it stores. Errors are the
 * spec's `problem` (RFC 7807/9457 fields). The routes are left out of /openapi.json: their
 * contract is the OpenADR spec itself (docs/openadr.md).
 */
export function vtnRoutes(app: FastifyInstance, deps: VtnDeps): void {
  void app.register(async (vtn) => {
    vtn.setErrorHandler((err, req, reply) => {
      const e = err as { statusCode?: number; message: string };
      const known = err instanceof IesError ? err : new IesError(typeof e.statusCode === 'number' && e.statusCode >= 400 && e.statusCode < 500 ? 'IES_ERR_BAD_REQUEST' : 'IES_ERR_INTERNAL', e.message);
      const problem = toProblem(known);
      if (problem.status >= 500 && !problem.retriable) req.log.error({ err }, 'OpenADR request failed');
      if (problem.retriable) void reply.header('retry-after', String(typeof problem.retryAfterSeconds === 'number' ? problem.retryAfterSeconds : 5));
      void reply.status(problem.status).type('application/problem+json').send(problem);
    });
    vtn.setNotFoundHandler((req, reply) => {
      void reply.status(404).type('application/problem+json').send(toProblem(new IesError('IES_ERR_NOT_FOUND', `no OpenADR 3.1 route ${req.method} ${req.url.split('?')[0]}`)));
    });
    vtn.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string' }, (_req, body, done) => done(null, new URLSearchParams(body as string)));
    // Routes are declared under the plugin's prefix (OPENADR_PREFIX).
    const p = '';

    vtn.get(`${p}/auth/server`, HIDDEN, async (req) => ({ tokenURL: `${req.protocol}://${req.host}${OPENADR_PREFIX}/auth/token` }));
    vtn.post(`${p}/auth/token`, HIDDEN, async (req, reply) => token(req, reply, deps));

    // Reads, filtered to what the caller may see.
    vtn.get(`${p}/programs`, HIDDEN, async (req) => page(filterTargets(await programs(deps, await viewer(req, deps, 'read_targets')), req.query as Query), req.query as Query));
    vtn.get(`${p}/programs/:programID`, HIDDEN, async (req) => one(await programs(deps, await viewer(req, deps, 'read_targets')), (req.params as { programID: string }).programID, 'program'));
    vtn.get(`${p}/events`, HIDDEN, async (req) => {
      const q = req.query as Query;
      const all = (await visibleEvents(deps, await viewer(req, deps, 'read_targets'))).map(toEvent);
      return page(filterTargets(all.filter((e) => q.programID === undefined || e.programID === q.programID), q), q);
    });
    vtn.get(`${p}/events/:eventID`, HIDDEN, async (req) => one((await visibleEvents(deps, await viewer(req, deps, 'read_targets'))).map(toEvent), (req.params as { eventID: string }).eventID, 'event'));
    vtn.get(`${p}/vens`, HIDDEN, async (req) => {
      const q = req.query as Query;
      return page(filterTargets((await vens(deps, await viewer(req, deps, 'read_ven_objects'))).filter((v) => q.venName === undefined || v.venName === q.venName), q), q);
    });
    vtn.get(`${p}/vens/:venID`, HIDDEN, async (req) => one(await vens(deps, await viewer(req, deps, 'read_ven_objects')), (req.params as { venID: string }).venID, 'VEN'));
    vtn.get(`${p}/resources`, HIDDEN, async (req) => {
      const q = req.query as Query;
      const all = (await resources(deps, await viewer(req, deps, 'read_ven_objects'))).filter((r) => (q.venID === undefined || r.venID === q.venID) && (q.resourceName === undefined || r.resourceName === q.resourceName));
      return page(filterTargets(all, q), q);
    });
    vtn.get(`${p}/resources/:resourceID`, HIDDEN, async (req) => one(await resources(deps, await viewer(req, deps, 'read_ven_objects')), (req.params as { resourceID: string }).resourceID, 'resource'));
    vtn.get(`${p}/reports`, HIDDEN, async (req) => {
      const q = req.query as Query;
      const all = await reports(deps, await viewer(req, deps, 'read_ven_objects'), q);
      return page(all.filter((r) => q.clientName === undefined || r.clientName === q.clientName), q);
    });
    vtn.get(`${p}/reports/:reportID`, HIDDEN, async (req) => one(await reports(deps, await viewer(req, deps, 'read_ven_objects'), {}), (req.params as { reportID: string }).reportID, 'report'));
    vtn.get(`${p}/subscriptions`, HIDDEN, async (req) => {
      const q = req.query as Query;
      const objects = [q.objects ?? []].flat();
      const all = (await subscriptions(deps, await viewer(req, deps, 'read_ven_objects'))).filter((s) => (q.programID === undefined || s.programID === q.programID) && (q.clientName === undefined || s.clientName === q.clientName)
        && (objects.length === 0 || (s.objectOperations as { objects: string[] }[]).some((o) => o.objects.some((x) => objects.includes(x)))));
      return page(filterTargets(all, q), q);
    });
    vtn.get(`${p}/subscriptions/:subscriptionID`, HIDDEN, async (req) => one(await subscriptions(deps, await viewer(req, deps, 'read_ven_objects')), (req.params as { subscriptionID: string }).subscriptionID, 'subscription'));

    // Writes a VEN or the BL may make.
    vtn.post(`${p}/reports`, HIDDEN, async (req, reply) => {
      const who = await viewer(req, deps, 'write_reports');
      if (who.bl) throw new IesError('IES_ERR_ROLE_FORBIDDEN', 'only a VEN (aggregator) posts reports; the DISCOM’s reports are the measured baselines and performance');
      const events = await visibleEvents(deps, who);
      const body = checkReportRequest(req.body, (id) => events.find((r) => objectId('event', r.eventId) === id));
      const stored = await deps.store.create(who.discomId, 'report', who.clientId, { ...body.request, programID: objectId('program', body.event.programmeId) }, deps.now(), 'AGGREGATOR');
      await deps.changes?.deliver([storedChange(who, 'REPORT', 'CREATE', stored)]);
      return reply.code(201).send(stored);
    });
    vtn.post(`${p}/subscriptions`, HIDDEN, async (req, reply) => {
      const who = await viewer(req, deps, 'write_subscriptions');
      const visiblePrograms = (await programs(deps, who)).map((x) => x.id as string);
      const body = checkSubscriptionRequest(req.body, (id) => visiblePrograms.includes(id));
      const stored = await deps.store.create(who.discomId, 'subscription', who.clientId, body, deps.now(), who.bl ? 'DISCOM' : 'AGGREGATOR');
      await deps.changes?.deliver([storedChange(who, 'SUBSCRIPTION', 'CREATE', stored)]);
      return reply.code(201).send(stored);
    });
    vtn.delete(`${p}/subscriptions/:subscriptionID`, HIDDEN, async (req) => {
      const who = await viewer(req, deps, 'write_subscriptions');
      const sub = one(await subscriptions(deps, who), (req.params as { subscriptionID: string }).subscriptionID, 'subscription');
      await deps.store.delete(who.discomId, 'subscription', sub.id);
      await deps.changes?.deliver([storedChange(who, 'SUBSCRIPTION', 'DELETE', sub)]);
      return sub;
    });

    notifierRoutes(vtn, deps, (req, scope) => viewer(req, deps, scope));

    // What the registry and signed DR events own is not written through OpenADR.
    const refuse = (what: string, where: string) => async () => {
      throw new IesError('IES_ERR_ROLE_FORBIDDEN', `${what} are not written through OpenADR here: ${where} (docs/openadr.md)`);
    };
    for (const [path, param, what, where] of [
      ['programs', 'programID', 'programs', 'programmes and their enrolments are operator-signed registry documents'],
      ['events', 'eventID', 'events', 'DR events are created and moved by signed writes to POST /v1/dr/events'],
      ['vens', 'venID', 'VENs', 'each aggregator registered in the registry is a VEN'],
      ['resources', 'resourceID', 'resources', 'resources are the meters enrolled with an aggregator in the registry'],
    ] as const) {
      vtn.post(`${p}/${path}`, HIDDEN, refuse(what, where));
      vtn.put(`${p}/${path}/:${param}`, HIDDEN, refuse(what, where));
      vtn.delete(`${p}/${path}/:${param}`, HIDDEN, refuse(what, where));
    }
    vtn.put(`${p}/subscriptions/:subscriptionID`, HIDDEN, refuse('subscription updates', 'delete the subscription and create a new one'));
    vtn.put(`${p}/reports/:reportID`, HIDDEN, refuse('report updates', 'post a new report; each one is kept as a separate claim'));
    vtn.delete(`${p}/reports/:reportID`, HIDDEN, refuse('report deletions', 'reports are kept as the aggregator’s claims'));
  }, { prefix: OPENADR_PREFIX });
}

/** POST /auth/token: OAuth2 client credentials (RFC 6749 §4.4) with a client secret (§2.3.1) or a client assertion (RFC 7523 §2.2). */
async function token(req: FastifyRequest, reply: FastifyReply, deps: VtnDeps) {
  const refuse = (status: number, error: string, description: string) => reply.code(status).header('cache-control', 'no-store').send({ error, error_description: description });
  if (!(req.body instanceof URLSearchParams)) return refuse(400, 'invalid_request', 'the body must be application/x-www-form-urlencoded (RFC 6749 §4.4.2)');
  const form = req.body;
  if (form.get('grant_type') !== 'client_credentials') return refuse(400, 'unsupported_grant_type', 'grant_type must be client_credentials');
  let clientId = form.get('client_id');
  let secret = form.get('client_secret');
  const basic = /^Basic ([A-Za-z0-9+/=]+)$/.exec(req.headers.authorization ?? '');
  if (basic) {
    // RFC 6749 §2.3.1: client_id and secret form-urlencoded, then joined by ':' and base64-encoded.
    const decoded = Buffer.from(basic[1] as string, 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    if (colon < 0) return refuse(401, 'invalid_client', 'HTTP Basic credentials must be client_id:client_secret');
    try {
      clientId = decodeURIComponent(decoded.slice(0, colon).replace(/\+/g, ' '));
      secret = decodeURIComponent(decoded.slice(colon + 1).replace(/\+/g, ' '));
    } catch {
      return refuse(401, 'invalid_client', 'HTTP Basic credentials must be form-urlencoded client_id:client_secret');
    }
  }
  let who: { discomId: string; participantId: string } | null;
  const assertion = form.get('client_assertion');
  if (assertion !== null) {
    if (form.get('client_assertion_type') !== CLIENT_ASSERTION_TYPE) return refuse(400, 'invalid_request', `client_assertion_type must be ${CLIENT_ASSERTION_TYPE}`);
    who = await deps.assertion(assertion, `${req.protocol}://${req.host}${OPENADR_PREFIX}/auth/token`);
    if (who === null || !deps.config.tenants.includes(who.discomId) || (clientId !== null && clientId !== clientIdOf(who.discomId, who.participantId))) return refuse(401, 'invalid_client', 'the client assertion does not verify against the registered key of the client it names');
  } else {
    const slash = clientId?.indexOf('/') ?? -1;
    if (clientId === null || secret === null || slash < 1) return refuse(401, 'invalid_client', 'authenticate with client_id = <discom>/<participant> and its client_secret (form or HTTP Basic), or with a client_assertion');
    const candidate = { discomId: clientId.slice(0, slash), participantId: clientId.slice(slash + 1) };
    if (!deps.config.tenants.includes(candidate.discomId) || !(await deps.secrets.matches(candidate.discomId, candidate.participantId, secret))) return refuse(401, 'invalid_client', `client ${clientId} is unknown or its secret does not match`);
    who = candidate;
  }
  const role = deps.registry.participant(who.discomId, who.participantId)?.role;
  const scopes = role === undefined ? null : grantScopes(role, form.get('scope') ?? undefined);
  if (scopes === null || scopes.length === 0) return refuse(400, 'invalid_scope', `${clientIdOf(who.discomId, who.participantId)} (${role ?? 'unregistered'}) may not hold ${form.get('scope') ?? 'any OpenADR scope'}`);
  const accessToken = await deps.tokens.issue({ ...who, scopes }, deps.now());
  return reply.header('cache-control', 'no-store').send({ access_token: accessToken, token_type: 'Bearer', expires_in: 300, scope: scopes.join(' ') });
}

/** The caller of an OpenADR read or write: a valid access token with `scope` (read_all stands for every read), still a registered aggregator or DISCOM. */
async function viewer(req: FastifyRequest, deps: VtnDeps, scope: OpenAdrScope): Promise<VtnViewer> {
  const claims = await deps.tokens.verify(req.headers.authorization, deps.now());
  const role = deps.registry.participant(claims.discomId, claims.participantId)?.role;
  if (role !== 'AGGREGATOR' && role !== 'DISCOM') throw new IesError('IES_ERR_TOKEN_INVALID', `${claims.discomId}/${claims.participantId} is no longer a registered aggregator or DISCOM participant`);
  const ok = claims.scopes.includes(scope) || (scope.startsWith('read_') && claims.scopes.includes('read_all'));
  if (!ok) throw new IesError('IES_ERR_ROLE_FORBIDDEN', `this request needs the ${scope} scope; the token holds ${claims.scopes.join(' ') || 'none'}`);
  return { ...claims, clientId: clientIdOf(claims.discomId, claims.participantId), bl: role === 'DISCOM', scopes: claims.scopes };
}

/** The BL sees every event of its tenant; a VEN only its own, once dispatched and until cancelled. */
async function visibleEvents(deps: Pick<VtnDeps, 'events'>, who: VtnViewer): Promise<DrEventRecord[]> {
  const all = await deps.events.list(who.discomId);
  return who.bl ? all : all.filter((r) => r.aggregatorId === who.participantId && VEN_VISIBLE_STATES.includes(r.state));
}

export async function programs(deps: Pick<VtnDeps, 'registry' | 'events'>, who: VtnViewer): Promise<Record<string, unknown>[]> {
  const views = programmesOf(deps.registry.enrolmentsOf(who.discomId), await visibleEvents(deps, who));
  if (who.bl) return views.map(toProgram);
  // A VEN sees the programmes it is enrolled in or has events in, naming no other aggregator.
  return views.filter((v) => v.aggregators.includes(who.participantId) || v.events.length > 0).map((v) => toProgram({ ...v, aggregators: v.aggregators.filter((a) => a === who.participantId) }));
}

export async function vens(deps: Pick<VtnDeps, 'registry'>, who: VtnViewer): Promise<Record<string, unknown>[]> {
  return deps.registry.participantsOf(who.discomId, 'AGGREGATOR').filter((a) => who.bl || a.id === who.participantId).map((a) => toVen(who.discomId, a.id, a.name));
}

export async function resources(deps: Pick<VtnDeps, 'registry'>, who: VtnViewer): Promise<Record<string, unknown>[]> {
  const byMeter = new Map<string, { aggregatorId: string; meterId: string; programmes: string[] }>();
  for (const e of deps.registry.enrolmentsOf(who.discomId)) {
    if (e.status !== 'ACTIVE' || (!who.bl && e.aggregatorId !== who.participantId)) continue;
    const k = `${e.aggregatorId}\n${e.meterId}`;
    const r = byMeter.get(k) ?? byMeter.set(k, { aggregatorId: e.aggregatorId, meterId: e.meterId, programmes: [] }).get(k)!;
    r.programmes.push(e.programmeId);
  }
  return [...byMeter.values()].map((r) => toResource(who.discomId, r.aggregatorId, r.meterId, r.programmes));
}

/** The VTN's reports (baseline, latest performance version) of the visible events, then the stored VEN reports the caller may see. */
async function reports(deps: VtnDeps, who: VtnViewer, q: Query): Promise<Record<string, unknown>[]> {
  const events = (await visibleEvents(deps, who)).filter((r) => (q.eventID === undefined || objectId('event', r.eventId) === q.eventID) && (q.programID === undefined || objectId('program', r.programmeId) === q.programID));
  const out: Record<string, unknown>[] = [];
  for (const r of events) out.push(...(await vtnReportsOf(deps, r)));
  const eventIds = new Set(events.map((r) => objectId('event', r.eventId)));
  const claims = (await deps.store.list(who.discomId, 'report')).filter((s) => (who.bl || s.clientID === who.clientId) && eventIds.has(s.eventID as string));
  return [...out, ...claims];
}

async function subscriptions(deps: VtnDeps, who: VtnViewer): Promise<StoredObject[]> {
  // The BL sees its VENs' subscriptions, not the bearer tokens they gave for their callbacks.
  return (await deps.store.list(who.discomId, 'subscription')).filter((s) => who.bl || s.clientID === who.clientId)
    .map((s) => (s.clientID === who.clientId ? s : { ...s, objectOperations: (s.objectOperations as Record<string, unknown>[]).map((o) => ({ ...o, bearerToken: null })) }));
}

/** `targets` query filter: objects with at least one of the given targets. */
function filterTargets<T extends Record<string, unknown>>(items: T[], q: Query): T[] {
  const wanted = [q.targets ?? []].flat();
  if (wanted.length === 0) return items;
  return items.filter((i) => Array.isArray(i.targets) && (i.targets as string[]).some((t) => wanted.includes(t)));
}

function page<T>(items: T[], q: Query): T[] {
  const int = (name: string, fallback: number, max: number) => {
    const raw = q[name];
    if (raw === undefined) return fallback;
    if (typeof raw !== 'string' || !/^\d{1,9}$/.test(raw) || Number(raw) > max) throw new IesError('IES_ERR_VALIDATION', `query parameter ${name} must be an integer from 0 to ${max}, got ${JSON.stringify(raw)}`);
    return Number(raw);
  };
  const skip = int('skip', 0, 999_999_999);
  const limit = int('limit', MAX_LIMIT, MAX_LIMIT);
  return items.slice(skip, skip + limit);
}

function one<T extends Record<string, unknown>>(items: T[], id: string, what: string): T {
  if (!isObjectId(id)) throw new IesError('IES_ERR_VALIDATION', `${JSON.stringify(id.slice(0, 140))} is not an OpenADR objectID ([a-zA-Z0-9_-], 1–128 characters)`);
  const found = items.find((i) => i.id === id);
  if (!found) throw new IesError('IES_ERR_NOT_FOUND', `no ${what} ${id} visible to this client`);
  return found;
}

/**
 * A report or subscription written through a request, as a change: its writer sees it, and
 * the BL (a VEN's subscription without the bearer tokens it gave for its callbacks).
 */
function storedChange(who: VtnViewer, objectType: ObjectType, operation: Operation, object: StoredObject): ObjectChange {
  const forBl = objectType === 'SUBSCRIPTION' && !who.bl ? { ...object, objectOperations: (object.objectOperations as Record<string, unknown>[]).map((o) => ({ ...o, bearerToken: null })) } : object;
  return {
    discomId: who.discomId, objectType, objectId: object.id, changeId: operation.toLowerCase(),
    ...(typeof object.programID === 'string' ? { programID: object.programID } : {}),
    vens: who.bl ? [] : [who.participantId],
    seenBy: (v) => (v.bl ? { operation, object: forBl } : v.participantId === who.participantId && !who.bl ? { operation, object } : null),
  };
}
