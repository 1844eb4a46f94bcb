import { signedSettlementWrite } from './signed-write.js';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Config } from '@ies/config';
import type { DrEventStore } from '@ies/dr/events';
import { IesError } from '@ies/errors';
import { authenticateRead, parseSignedJson, type AuthenticatedWrite, type IdempotencyStore } from '@ies/http/auth';
import type { RegistryState } from '@ies/registry';
import { SettlementError } from '../domain/codes.js';
import { seal, type StatementContent, type StatementScope } from '@ies/verify';
import { renderCsv } from '../domain/statement-csv.js';
import { istDayStart } from '@ies/units';
import { statementJsonOfJws } from '@ies/verify';
import type { StatementRunQueue } from '../statement-queue.js';
import type { StatementSinks } from '../statement-sinks.js';
import { changeStatementStatus, REQUESTABLE_STATUSES, type RequestableStatus } from '../statement-status.js';
import type { StatementStore, StatementSummary } from '../statement-store.js';
import { selectPolicy, type PolicyPack } from '../domain/policy-pack.js';
import { resolveRun } from '../domain/settlement-calendar.js';
import { POST_FINAL_RUN } from '../statement-calendar-run.js';
import { statementDiff } from '../domain/statement-diff.js';
import { pendingReport, positionsReport, reconciliationReport, reportCsv, type ReportName } from '../domain/statement-reports.js';
import type { FinalAllocation } from '../domain/final-allocation.js';
import type { TradeRecord } from '../domain/trade.js';
import { STATEMENT_REPORT, DIFF_STATEMENTS, GET_STATEMENT, LIST_STATEMENTS, RUN_STATEMENT, STATEMENT_HISTORY, TRANSITION_STATEMENT } from './statement-schemas.js';

export interface StatementRouteDeps {
  config: Config;
  registry: RegistryState;
  drEvents: Pick<DrEventStore, 'get'>;
  statements: {
    store: StatementStore;
    runs: Pick<StatementRunQueue, 'enqueue'>;
    sinks: StatementSinks;
  };
  /** The settlement policy packs: a DISCOM's calendar decides which runs may be asked for. */
  policies: readonly PolicyPack[];
  /** Every signed write's jti is recorded (replay = the first answer, never a second effect). */
  idempotency: IdempotencyStore;
  now: () => number;
  /** The inputs a statement settled on, for its reports: the day's trades and their finals (a run's: as known at its cut-off). */
  reportInputs: {
    tradesForDay(discomId: string, day: string): Promise<readonly TradeRecord[]>;
    finalsForDay(discomId: string, day: string): Promise<readonly FinalAllocation[]>;
    finalsAt(discomId: string, tradeIds: readonly string[], cutoffMs: number): Promise<readonly FinalAllocation[]>;
    /** A run's trades as held at its cut-off (absent: as held now). */
    tradesAt?(discomId: string, day: string, cutoffMs: number): Promise<readonly TradeRecord[]>;
  };
}

/** The caller of a statement read: a bearer token of a DISCOM participant; its own tenant's statements only. */
export async function statementReader(deps: Pick<StatementRouteDeps, 'config' | 'registry' | 'now'>, authorization: string | undefined): Promise<{ discomId: string; participantId: string }> {
  const who = await authenticateRead(deps.registry, authorization, { audience: deps.config.nodeId, nowMs: deps.now() });
  const role = deps.registry.participant(who.discomId, who.participantId)?.role;
  if (role !== 'DISCOM') throw new IesError('IES_ERR_STATEMENT_ROLE_FORBIDDEN', `${who.participantId} has role ${role ?? 'UNKNOWN'}; statements of ${who.discomId} are for its DISCOM participant only`);
  return who;
}

/** Who may release or contest a statement: the DISCOM's own participant (its settlement desk's key). */
const DESK = ['DISCOM'] as const;

const MEDIA = { json: 'application/json', csv: 'text/csv', jose: 'application/jose' } as const;

/**
 * Settlement statements of the caller's DISCOM (bearer token of a participant with role
 * DISCOM; a tenant never sees another's). A statement is served as its signed document: the
 * canonical JSON (default; byte for byte the JWS payload), the CSV view, or the compact JWS;
 * its lifecycle status, kept outside the signed content, is in the list and in headers.
 */
export function statementRoutes(app: FastifyInstance, deps: StatementRouteDeps): void {
  const discom = (authorization: string | undefined) => statementReader(deps, authorization);
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
    const body = req.body as { day?: string; eventId?: string; run?: string };
    let scope: StatementScope;
    if (body.day !== undefined) {
      const start = validDay(body.day);
      if (start + 86_400_000 > deps.now()) throw new IesError('IES_ERR_VALIDATION', `IST day ${body.day} has not ended yet; its statement can be built from ${new Date(start + 86_400_000).toISOString()}`);
      scope = { kind: 'DAY', day: body.day };
      const calendar = calendarOf(who.discomId, body.day);
      if (calendar !== undefined || body.run !== undefined) {
        const askedAtMs = deps.now();
        const run = await checkRun(who.discomId, body.day, body.run, askedAtMs);
        const jobId = await runs.enqueue(who.discomId, scope, run.name, askedAtMs);
        return reply.code(202).send({ jobId, discomId: who.discomId, scope, run: run.name, statementId: `${who.discomId}:${body.day}:${run.name}`, cutoff: run.cutoff, early: run.early });
      }
    } else {
      if (body.run !== undefined) throw new IesError('IES_ERR_VALIDATION', 'calendar runs settle IST days: give "day" with "run"');
      const eventId = body.eventId as string;
      if ((await deps.drEvents.get(who.discomId, eventId)) === undefined) throw new IesError('IES_ERR_NOT_FOUND', `no DR event ${eventId} in ${who.discomId}`);
      scope = { kind: 'DR_EVENT', eventId };
    }
    const jobId = await runs.enqueue(who.discomId, scope);
    return reply.code(202).send({ jobId, discomId: who.discomId, scope });
  });

  app.get('/v1/statements/:id/diff', { schema: DIFF_STATEMENTS }, async (req) => {
    const who = await discom(req.headers.authorization);
    const { id } = req.params as { id: string };
    const { against } = req.query as { against: string };
    const [to, from] = await Promise.all([store.get(who.discomId, id), store.get(who.discomId, against)]);
    if (to === undefined) throw new IesError('IES_ERR_STATEMENT_NOT_FOUND', `${who.discomId} has no statement ${id}`);
    if (from === undefined) throw new IesError('IES_ERR_STATEMENT_NOT_FOUND', `${who.discomId} has no statement ${against}`);
    const a = JSON.parse(statementJsonOfJws(from.jws)) as StatementContent;
    const b = JSON.parse(statementJsonOfJws(to.jws)) as StatementContent;
    if (JSON.stringify(a.scope) !== JSON.stringify(b.scope)) throw new IesError('IES_ERR_VALIDATION', `${against} and ${id} are statements of different scopes; a diff compares versions of one day or event`);
    return { ...statementDiff(a, b), fromSha256: from.sha256, toSha256: to.sha256 };
  });

  app.get('/v1/statements/:id/reports/:name', { schema: STATEMENT_REPORT }, async (req, reply) => {
    const who = await discom(req.headers.authorization);
    const { id, name } = req.params as { id: string; name: ReportName };
    const csv = negotiate(req.headers.accept) === MEDIA.csv;
    const stored = await store.get(who.discomId, id);
    if (stored === undefined) throw new IesError('IES_ERR_STATEMENT_NOT_FOUND', `${who.discomId} has no statement ${id}`);
    const c = JSON.parse(statementJsonOfJws(stored.jws)) as StatementContent;
    const asOfMs = c.run?.cutoffMs ?? stored.updatedAt;
    const trades = c.scope.kind !== 'DAY' ? [] : c.run !== undefined && deps.reportInputs.tradesAt ? await deps.reportInputs.tradesAt(who.discomId, c.scope.day, c.run.cutoffMs) : await deps.reportInputs.tradesForDay(who.discomId, c.scope.day);
    let report: ReturnType<typeof positionsReport> | ReturnType<typeof pendingReport> | ReturnType<typeof reconciliationReport>;
    if (name === 'positions') report = positionsReport(c);
    else if (name === 'pending') report = pendingReport(c, { trades, asOfMs });
    else {
      const finals = c.scope.kind !== 'DAY' ? [] : c.run !== undefined ? await deps.reportInputs.finalsAt(who.discomId, trades.map((t) => t.trade.tradeId), c.run.cutoffMs) : await deps.reportInputs.finalsForDay(who.discomId, c.scope.day);
      const offered = new Map<string, number | null>();
      for (const eventId of new Set(c.lines.filter((l) => l.kind === 'DR_INCENTIVE' || l.kind === 'DR_PENALTY').map((l) => l.reference))) {
        const event = await deps.drEvents.get(who.discomId, eventId);
        const wh = event?.event.intervals.map((iv) => iv.offeredWh);
        offered.set(eventId, wh === undefined || wh.some((w) => w === null) ? null : wh.reduce<number>((a, b) => a + (b ?? 0), 0));
      }
      report = reconciliationReport(c, { trades, finals, drOfferedWh: offered, asOfMs });
    }
    void reply.header('x-ies-statement-sha256', stored.sha256).header('vary', 'Accept');
    if (csv) return reply.type('text/csv; charset=utf-8').header('content-disposition', `attachment; filename="${fileName(id)}.${name}.csv"`).send(reportCsv(name, report));
    return reply.type('application/json; charset=utf-8').send(JSON.stringify({ report: name, sha256: stored.sha256, ...(c.run ? { run: c.run.name } : {}), ...report }));
  });

  app.get('/v1/statements/:id/history', { schema: STATEMENT_HISTORY }, async (req) => {
    const who = await discom(req.headers.authorization);
    const { id } = req.params as { id: string };
    const stored = await store.summary(who.discomId, id);
    if (stored === undefined) throw new IesError('IES_ERR_STATEMENT_NOT_FOUND', `${who.discomId} has no statement ${id}`);
    return { statementId: id, status: stored.status, history: await store.history(who.discomId, id) };
  });

  // FINAL and DISPUTED are decisions a desk answers for: signed writes (detached JWS bound to
  // method, path and tenant) by the DISCOM's own key, kept with the statement's history.
  app.register(async (scoped) => {
    scoped.removeAllContentTypeParsers();
    scoped.addContentTypeParser('application/json', { parseAs: 'buffer' }, (_req, body, done) => done(null, body));
    const signedWrite = (req: FastifyRequest, reply: FastifyReply, work: (sender: AuthenticatedWrite, body: Buffer, signature: string) => Promise<{ status: number; body: unknown }>) =>
      signedSettlementWrite(deps, req, reply, { roles: DESK, noStanding: 'IES_ERR_STATEMENT_ROLE_FORBIDDEN' }, (sender, body, signed) => work(sender, body, signed.jws));

    scoped.post('/v1/statements/:id/transitions', { schema: TRANSITION_STATEMENT }, async (req, reply) => signedWrite(req, reply, async (sender, body, signature) => {
      const request = parseSignedJson(body);
      if (request === null || typeof request !== 'object' || Array.isArray(request)) throw new IesError('IES_ERR_VALIDATION', 'the body must be a JSON object {"to": "FINAL" | "DISPUTED", "reason"?: …}');
      const { to, reason, ...rest } = request as { to?: unknown; reason?: unknown };
      if (Object.keys(rest).length > 0) throw new IesError('IES_ERR_VALIDATION', `unknown member(s) ${Object.keys(rest).join(', ')}`);
      if (typeof to !== 'string' || !(REQUESTABLE_STATUSES as readonly string[]).includes(to)) throw new IesError('IES_ERR_VALIDATION', `"to" must be one of ${REQUESTABLE_STATUSES.join(', ')} (the worker makes the other transitions)`);
      if (reason !== undefined && (typeof reason !== 'string' || reason.length > 2000)) throw new IesError('IES_ERR_VALIDATION', '"reason" must be a string of at most 2000 characters');
      const { id } = req.params as { id: string };
      const signed = { jws: signature, body: body.toString('base64url'), kid: sender.kid };
      try {
        return { status: 200, body: view(await changeStatementStatus({ store, sinks, now: deps.now }, sender.discomId, id, to as RequestableStatus, sender.participantId, (reason as string | undefined) ?? null, signed)) };
      } catch (err) {
        if (err instanceof SettlementError) throw new IesError(err.code, err.message, { cause: err });
        if (err instanceof IesError && err.code === 'IES_ERR_NOT_FOUND') throw new IesError('IES_ERR_STATEMENT_NOT_FOUND', err.message, { cause: err });
        throw err;
      }
    }));
  });

  function calendarOf(discomId: string, day: string) {
    try {
      return selectPolicy(deps.policies, discomId, day).calendar;
    } catch (err) {
      if (err instanceof SettlementError && err.code === 'IES_ERR_POLICY_NOT_EFFECTIVE') return undefined; // the run itself reports it
      throw err;
    }
  }

  /** The run a request gets, refused up front when it is not due, unknown or out of order (the worker decides again when it runs). */
  async function checkRun(discomId: string, day: string, requested: string | undefined, askedAtMs: number): Promise<{ name: string; cutoff: string; early: boolean }> {
    try {
      const issued = (await store.listDay(discomId, day)).filter((s) => s.scope.kind === 'DAY' && s.run !== undefined);
      const again = issued.find((s) => s.run!.name === requested);
      if (again !== undefined) return { name: again.run!.name, cutoff: new Date(again.run!.cutoffMs).toISOString(), early: false };
      const calendar = calendarOf(discomId, day);
      if (requested !== undefined && POST_FINAL_RUN.test(requested) && !calendar?.runs.some((r) => r.name === requested)) {
        // A post-final run: after the last run, on an upheld dispute (the worker checks which ones).
        const last = calendar?.runs[calendar.runs.length - 1];
        const final = issued.find((s) => s.run!.name === last?.name);
        if (final === undefined) throw new IesError('IES_ERR_STATEMENT_RUN_NO_DISPUTE', `${requested} of ${day} is a post-final run: ${discomId}'s last run${last ? `, ${last.name},` : ''} is not issued yet`);
        return { name: requested, cutoff: new Date(final.run!.cutoffMs).toISOString(), early: false };
      }
      const resolved = resolveRun(calendar, discomId, day, askedAtMs, requested);
      const order = (name: string) => calendar!.runs.findIndex((r) => r.name === name);
      const later = issued.filter((s) => order(s.run!.name) > resolved.index);
      if (later.length > 0 && !issued.some((s) => s.run!.name === resolved.run.name)) throw new IesError('IES_ERR_STATEMENT_RUN_OUT_OF_ORDER', `run ${resolved.run.name} of ${day} comes before ${later.map((s) => s.statementId).join(', ')}, already issued`);
      return { name: resolved.run.name, cutoff: new Date(resolved.cutoffMs).toISOString(), early: resolved.early };
    } catch (err) {
      if (err instanceof SettlementError) throw new IesError(err.code, err.message, { cause: err });
      throw err;
    }
  }
}

function view(s: StatementSummary) {
  return { statementId: s.statementId, scope: s.scope, day: s.day, version: s.version, status: s.status, complete: s.complete, sha256: s.sha256, revises: s.revises, lineCount: s.lineCount, totals: s.totals, updatedAt: new Date(s.updatedAt).toISOString(), ...(s.run === undefined ? {} : { run: s.run.name, cutoff: new Date(s.run.cutoffMs).toISOString() }) };
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
