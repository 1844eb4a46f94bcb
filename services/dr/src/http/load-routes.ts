import type { FastifyInstance } from 'fastify';
import { IesError, problemResponses } from '@ies/errors';
import { authenticateRead } from '@ies/http/auth';
import { ANY_OBJECT, BEARER, INTEGER, READ_ERRORS, STRING, doc, open } from '@ies/http/openapi';
import { blockIndexOf } from '@ies/units';
import { DR_EVENT_STATES } from '../domain/event-lifecycle.js';
import type { DrEventRecord } from '../event-store.js';
import type { DrRouteDeps } from './dr-routes.js';

const NULLABLE_WH = { type: 'array', items: { type: 'integer', nullable: true }, description: 'Wh per interval, in the order of intervalStarts; null where unknown' } as const;
const SUMMARY = open({
  eventId: STRING, programmeId: STRING, aggregatorId: STRING, state: { type: 'string', enum: [...DR_EVENT_STATES] }, version: INTEGER,
  start: { type: 'integer', description: 'UTC epoch ms' }, end: INTEGER, eventDay: STRING, meterCount: INTEGER,
  history: { type: 'array', items: ANY_OBJECT, description: 'The lifecycle: each transition with its time, actor and reason' },
}, ['eventId', 'programmeId', 'aggregatorId', 'state', 'version', 'start', 'end', 'history']);

export const LIST_EVENTS = doc({
  summary: "The DR events the caller may read (an aggregator: its own; the DISCOM: all of its tenant's), with their programmes and lifecycle",
  tags: ['dr'],
  security: BEARER,
  querystring: { type: 'object', additionalProperties: false, properties: { programmeId: { type: 'string', minLength: 1, maxLength: 128 } } },
  response: {
    200: {
      description: 'Programmes (with their event counts) and events, newest window first',
      ...open({ discomId: STRING, programmes: { type: 'array', items: open({ programmeId: STRING, events: INTEGER }, ['programmeId', 'events']) }, events: { type: 'array', items: SUMMARY } }, ['discomId', 'programmes', 'events']),
    },
    ...problemResponses(400, ...READ_ERRORS),
  },
});

export const GET_LOAD = doc({
  summary: 'Baseline and metered load of an event per interval, whole event and per meter, with the delivered energy of its latest measured performance',
  description: 'Baselines as the baseline service stored them, metered usage from the tenant\'s reads (the same the performance sweep measures), delivered = max(0, baseline − usage) from the latest performance version (revisions: version > 1).',
  tags: ['dr'],
  security: BEARER,
  params: { type: 'object', required: ['eventId'], properties: { eventId: { type: 'string', description: 'The DR event id' } } },
  querystring: { type: 'object', additionalProperties: false, properties: { meter: { type: 'string', minLength: 1, maxLength: 128, description: 'One meter of the event' } } },
  response: {
    200: {
      description: 'Load per interval (Wh)',
      ...open({
        eventId: STRING, state: STRING, intervalStarts: { type: 'array', items: INTEGER, description: 'UTC epoch ms' },
        performanceVersion: { type: 'integer', nullable: true, description: 'The measured version the delivered figures come from; >1 is a revision' },
        total: open({ baselineWh: NULLABLE_WH, usageWh: NULLABLE_WH, deliveredWh: NULLABLE_WH }),
        meters: { type: 'array', items: open({ meterId: STRING, baselineWh: NULLABLE_WH, usageWh: NULLABLE_WH, deliveredWh: NULLABLE_WH }) },
      }, ['eventId', 'state', 'intervalStarts', 'total', 'meters']),
    },
    ...problemResponses(400, ...READ_ERRORS, 404, 414),
  },
});

export interface LoadRouteDeps {
  /** Metered usage (Wh) of the meters on an IST day, per meter by 15-minute block index. */
  usage: (discomId: string, meterIds: readonly string[], day: string) => Promise<Map<string, readonly (number | null)[]>>;
}

/** At most this many meters are listed per event in the load view (the console plots one at a time). */
const MAX_METERS = 2000;

/**
 * The aggregator's views of the console: GET /v1/dr/events (its events and programmes) and
 * GET /v1/dr/events/:eventId/load (baseline vs metered per interval). Same read rule as the
 * event routes: an aggregator sees its own events, the DISCOM all of its tenant's.
 */
export function loadRoutes(app: FastifyInstance, deps: DrRouteDeps & LoadRouteDeps, readable: (authorization: string | undefined, eventId: string) => Promise<DrEventRecord>): void {
  app.get('/v1/dr/events', { schema: LIST_EVENTS }, async (req) => {
    const who = await authenticateRead(deps.registry, req.headers.authorization, { audience: deps.config.nodeId, nowMs: deps.now() });
    const role = deps.registry.participant(who.discomId, who.participantId)?.role;
    if (role !== 'DISCOM' && role !== 'AGGREGATOR') throw new IesError('IES_ERR_TENANT_FORBIDDEN', `${who.participantId} has role ${role ?? 'UNKNOWN'}; DR events are for the DISCOM and its aggregators`);
    const { programmeId } = req.query as { programmeId?: string };
    const visible = (await deps.drEvents.list(who.discomId)).filter((r) => role === 'DISCOM' || r.aggregatorId === who.participantId);
    const programmes = new Map<string, number>();
    for (const r of visible) programmes.set(r.programmeId, (programmes.get(r.programmeId) ?? 0) + 1);
    const events = visible.filter((r) => programmeId === undefined || r.programmeId === programmeId).sort((a, b) => b.event.start - a.event.start || (a.eventId < b.eventId ? -1 : 1));
    return {
      discomId: who.discomId,
      programmes: [...programmes].sort(([a], [b]) => (a < b ? -1 : 1)).map(([id, n]) => ({ programmeId: id, events: n })),
      events: events.map((r) => ({ eventId: r.eventId, programmeId: r.programmeId, aggregatorId: r.aggregatorId, state: r.state, version: r.version, start: r.event.start, end: r.event.end, eventDay: r.event.eventDay, meterCount: r.event.meterCount, history: r.history })),
    };
  });

  app.get('/v1/dr/events/:eventId/load', { schema: GET_LOAD }, async (req) => {
    const record = await readable(req.headers.authorization, (req.params as { eventId: string }).eventId);
    const { meter } = req.query as { meter?: string };
    const starts = record.event.intervals.map((i) => i.intervalStart);
    const baselines = await deps.baselines(record.discomId, record.eventId) as { meterId: string; intervalStart: string; baselineWh: number | null }[];
    const all = [...new Set([...baselines.map((b) => b.meterId), ...(record.event.participatingMeters ?? [])])].sort();
    if (meter !== undefined && !all.includes(meter)) throw new IesError('IES_ERR_NOT_FOUND', `meter ${meter} is not in DR event ${record.eventId}`);
    const baseline = new Map(all.map((m) => [m, starts.map((): number | null => null)]));
    for (const b of baselines) {
      const j = starts.indexOf(Date.parse(b.intervalStart));
      if (j >= 0) baseline.get(b.meterId)?.splice(j, 1, b.baselineWh);
    }
    const usage = await deps.usage(record.discomId, all, record.event.eventDay);
    const perf = await deps.performance(record.discomId, record.eventId) as { version: number; meters: { meterId: string; deliveredWh: number[] }[] } | undefined;
    const delivered = new Map((perf?.meters ?? []).map((m) => [m.meterId, m.deliveredWh]));
    const series = all.map((m) => ({
      meterId: m,
      baselineWh: baseline.get(m)!,
      usageWh: starts.map((s) => usage.get(m)?.[blockIndexOf(s)] ?? null),
      deliveredWh: starts.map((_s, j) => (perf === undefined ? null : delivered.get(m)?.[j] ?? null)),
    }));
    // The whole event: the sum over its meters, null where no meter has a figure.
    const sum = (k: 'baselineWh' | 'usageWh' | 'deliveredWh') => starts.map((_s, j) => series.reduce<number | null>((t, m) => (m[k][j] === null ? t : (t ?? 0) + (m[k][j] as number)), null));
    return {
      eventId: record.eventId, state: record.state, intervalStarts: starts, performanceVersion: perf?.version ?? null,
      total: { baselineWh: sum('baselineWh'), usageWh: sum('usageWh'), deliveredWh: sum('deliveredWh') },
      meters: meter !== undefined ? series.filter((m) => m.meterId === meter) : series.slice(0, MAX_METERS),
    };
  });
}
