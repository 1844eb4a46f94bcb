import type { FastifyInstance } from 'fastify';
import type { Config } from '@ies/config';
import type { DrEventStore } from '@ies/dr/events';
import { IesError } from '@ies/errors';
import { authenticateRead } from '@ies/http/auth';
import type { RegistryState } from '@ies/registry';
import { SettlementError } from '../domain/codes.js';
import { seal, type StatementContent, type StatementScope } from '@ies/verify';
import { renderCsv } from '../domain/statement-csv.js';
import { istDayStart } from '@ies/units';
import { statementJsonOfJws } from '@ies/verify';
import type { StatementRunQueue } from '../statement-queue.js';
import type { StatementSinks } from '../statement-sinks.js';
import { changeStatementStatus, type RequestableStatus } from '../statement-status.js';
import type { StatementStore, StatementSummary } from '../statement-store.js';
import { GET_STATEMENT, LIST_STATEMENTS, RUN_STATEMENT, TRANSITION_STATEMENT } from './statement-schemas.js';

export interface StatementRouteDeps {
  config: Config;
  registry: RegistryState;
  drEvents: Pick<DrEventStore, 'get'>;
  statements: {
    store: StatementStore;
    runs: Pick<StatementRunQueue, 'enqueue'>;
    sinks: StatementSinks;
  };
  now: () => number;
}

const MEDIA = { json: 'application/json', csv: 'text/csv', jose: 'application/jose' } as const;

/**
 * Settlement statements of the caller's DISCOM (bearer token of a participant with role
 * DISCOM; a tenant never sees another's). A statement is served as its signed document: the
 * canonical JSON (default; byte for byte the JWS payload), the CSV view, or the compact JWS;
 * its lifecycle status, kept outside the signed content, is in the list and in headers.
 */
export function statementRoutes(app: FastifyInstance, deps: StatementRouteDeps): void {
  const discom = async (authorization: string | undefined): Promise<{ discomId: string; participantId: string }> => {
    const who = await authenticateRead(deps.registry, authorization, { audience: deps.config.nodeId, nowMs: deps.now() });
    const role = deps.registry.participant(who.discomId, who.participantId)?.role;
    if (role !== 'DISCOM') throw new IesError('IES_ERR_STATEMENT_ROLE_FORBIDDEN', `${who.participantId} has role ${role ?? 'UNKNOWN'}; statements of ${who.discomId} are for its DISCOM participant only`);
    return who;
  };
  const { store, runs, sinks } = deps.statements;

  app.get('/v1/statements', { schema: LIST_STATEMENTS }, async (req) => {
    const who = await discom(req.headers.authorization);
    const { day } = req.query as { day: string };
    validDay(day);
    return { discomId: who.discomId, day, statements: (await store.listDay(who.discomId, day)).map(view) };
  });

  app.get('/v1/statements/:id', { schema: GET_STATEMENT }, async (req, reply) => {
    const who = await discom(req.headers.authorization);
    const { id } = req.params as { id: string };
    const media = negotiate(req.headers.accept);
    const stored = await store.get(who.discomId, id);
    if (stored === undefined) throw new IesError('IES_ERR_STATEMENT_NOT_FOUND', `${who.discomId} has no statement ${id}`);
    void reply.header('etag', `"${stored.sha256}"`).header('x-ies-statement-status', stored.status).header('x-ies-statement-sha256', stored.sha256).header('vary', 'Accept');
    if (media === MEDIA.jose) return reply.type('application/jose').send(stored.jws);
    const json = statementJsonOfJws(stored.jws);
    if (media === MEDIA.csv) {
      const built = seal(JSON.parse(json) as StatementContent);
      return reply.type('text/csv; charset=utf-8').header('content-disposition', `attachment; filename="${fileName(id)}.csv"`).send(renderCsv(built));
    }
    return reply.type('application/json; charset=utf-8').send(json);
  });

  app.post('/v1/statements/runs', { schema: RUN_STATEMENT }, async (req, reply) => {
    const who = await discom(req.headers.authorization);
    const body = req.body as { day?: string; eventId?: string };
    let scope: StatementScope;
    if (body.day !== undefined) {
      const start = validDay(body.day);
      if (start + 86_400_000 > deps.now()) throw new IesError('IES_ERR_VALIDATION', `IST day ${body.day} has not ended yet; its statement can be built from ${new Date(start + 86_400_000).toISOString()}`);
      scope = { kind: 'DAY', day: body.day };
    } else {
      const eventId = body.eventId as string;
      if ((await deps.drEvents.get(who.discomId, eventId)) === undefined) throw new IesError('IES_ERR_NOT_FOUND', `no DR event ${eventId} in ${who.discomId}`);
      scope = { kind: 'DR_EVENT', eventId };
    }
    const jobId = await runs.enqueue(who.discomId, scope);
    return reply.code(202).send({ jobId, discomId: who.discomId, scope });
  });

  app.post('/v1/statements/:id/transitions', { schema: TRANSITION_STATEMENT }, async (req) => {
    const who = await discom(req.headers.authorization);
    const { id } = req.params as { id: string };
    const { to, reason } = req.body as { to: RequestableStatus; reason?: string };
    try {
      return view(await changeStatementStatus({ store, sinks, now: deps.now }, who.discomId, id, to, who.participantId, reason ?? null));
    } catch (err) {
      if (err instanceof SettlementError) throw new IesError(err.code, err.message, { cause: err });
      if (err instanceof IesError && err.code === 'IES_ERR_NOT_FOUND') throw new IesError('IES_ERR_STATEMENT_NOT_FOUND', err.message, { cause: err });
      throw err;
    }
  });
}

function view(s: StatementSummary) {
  return { statementId: s.statementId, scope: s.scope, day: s.day, version: s.version, status: s.status, complete: s.complete, sha256: s.sha256, revises: s.revises, lineCount: s.lineCount, totals: s.totals, updatedAt: new Date(s.updatedAt).toISOString() };
}

function validDay(day: string): number {
  const start = istDayStart(day);
  if (start === undefined) throw new IesError('IES_ERR_VALIDATION', `day ${JSON.stringify(day)} is not a calendar date YYYY-MM-DD`);
  return start;
}

/** The first supported media type of the Accept header, in its order (q-values of 0 excluded); JSON when absent or any. */
function negotiate(accept: string | undefined): (typeof MEDIA)[keyof typeof MEDIA] {
  if (accept === undefined || accept.trim() === '') return MEDIA.json;
  const ranges = accept.split(',').map((r) => r.trim().split(';').map((p) => p.trim())).filter(([, ...params]) => !params.some((p) => /^q=0(\.0*)?$/.test(p))).map(([type]) => type!.toLowerCase());
  for (const type of ranges) {
    if (type === MEDIA.jose || type === MEDIA.csv || type === MEDIA.json) return type;
    if (type === '*/*' || type === 'application/*') return MEDIA.json;
    if (type === 'text/*') return MEDIA.csv;
  }
  throw new IesError('IES_ERR_NOT_ACCEPTABLE', `Accept ${JSON.stringify(accept)} names nothing this route serves: ${Object.values(MEDIA).join(', ')}`);
}

function fileName(id: string): string {
  return id.replace(/[^A-Za-z0-9._-]+/g, '_');
}
