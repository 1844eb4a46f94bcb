// Our DR model as OpenADR 3.1 objects (openadr3.yaml components.schemas): pure functions of
// the records the DR service and the registry already hold. Nothing here is stored; the
// mapping table is in docs/openadr.md.
import type { EnrolmentRecord } from '@ies/registry';
import type { DrEventRecord } from '../event-store.js';
import { objectId } from './object-id.js';

export const INTERVAL = 'PT15M';
/** The clientID and clientName of reports the VTN itself produces (baselines, performance). */
export const VTN_CLIENT = 'VTN';

/** A DEG / OpenADR client id of one of our participants: `<discom>/<participant>`. */
export function clientIdOf(discomId: string, participantId: string): string {
  return `${discomId}/${participantId}`;
}

const iso = (ms: number) => new Date(ms).toISOString();
/** Wh in a 15-minute interval as average kW (exact: Wh × 4 / 1000 has at most 3 decimals). */
const kwOf15MinWh = (wh: number) => (wh * 4) / 1000;
/** Paise as rupees (2 decimals at most). */
const rupees = (paise: number) => paise / 100;

const EVENT_PAYLOADS = [
  { objectType: 'EVENT_PAYLOAD_DESCRIPTOR', payloadType: 'DISPATCH_SETPOINT_RELATIVE', units: 'KW', currency: null },
  { objectType: 'EVENT_PAYLOAD_DESCRIPTOR', payloadType: 'PRICE', units: 'KWH', currency: 'INR' },
  { objectType: 'EVENT_PAYLOAD_DESCRIPTOR', payloadType: 'IES_SHORTFALL_PENALTY', units: 'KWH', currency: 'INR' },
  { objectType: 'EVENT_PAYLOAD_DESCRIPTOR', payloadType: 'IES_REQUESTED_WH', units: 'WH', currency: null },
];
const REPORT_PAYLOADS = ['BASELINE', 'USAGE', 'DELTA_USAGE'].map((payloadType) => ({ objectType: 'REPORT_PAYLOAD_DESCRIPTOR', payloadType, readingType: 'DIRECT_READ', units: 'WH', accuracy: null, confidence: null }));
const REPORT_DESCRIPTORS = ['BASELINE', 'USAGE', 'DELTA_USAGE'].map((payloadType) => ({ payloadType, readingType: 'DIRECT_READ', units: 'WH', targets: null, aggregate: false, startInterval: -1, numIntervals: -1, historical: true, frequency: -1, repeat: 1, reportIntervals: 'INTERVALS' }));

/** The states in which a VEN sees an event: dispatched and not cancelled (a cancellation is a DELETE in OpenADR). */
export const VEN_VISIBLE_STATES: readonly string[] = ['ACTIVE', 'BASELINED', 'MEASURED', 'SETTLED'];

/** A programme: its enrolments and events (one OpenADR program per programme id of the tenant). */
export interface ProgrammeView {
  readonly programmeId: string;
  readonly aggregators: readonly string[];
  readonly events: readonly DrEventRecord[];
}

/** Groups a tenant's enrolments and events into programmes, sorted by id. */
export function programmesOf(enrolments: readonly EnrolmentRecord[], events: readonly DrEventRecord[]): ProgrammeView[] {
  const byId = new Map<string, { aggregators: Set<string>; events: DrEventRecord[] }>();
  const at = (id: string) => byId.get(id) ?? byId.set(id, { aggregators: new Set(), events: [] }).get(id)!;
  for (const e of enrolments) if (e.status === 'ACTIVE') at(e.programmeId).aggregators.add(e.aggregatorId);
  for (const r of events) at(r.programmeId).events.push(r);
  return [...byId.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([programmeId, v]) => ({ programmeId, aggregators: [...v.aggregators].sort(), events: v.events }));
}

/**
 * A programme as an OpenADR program. Programmes are not registry entities of their own, so
 * their creation time is that of their first event (the Unix epoch while they have none).
 */
export function toProgram(p: ProgrammeView): Record<string, unknown> {
  const times = p.events.flatMap((r) => r.history.map((h) => h.at));
  const created = times.length === 0 ? 0 : Math.min(...times);
  const modified = times.length === 0 ? 0 : Math.max(...times);
  return {
    id: objectId('program', p.programmeId), createdDateTime: iso(created), modificationDateTime: iso(modified), objectType: 'PROGRAM',
    programName: p.programmeId,
    // Event payload descriptors only: the reports asked for are in each event's
    // reportDescriptors, and VEN libraries (openadr3-client 2.4) accept no report descriptor here.
    payloadDescriptors: EVENT_PAYLOADS,
    attributes: null,
    targets: [...p.aggregators],
  };
}

/**
 * A DR event as an OpenADR event: one 15-minute interval per block of the window, each with
 * the requested reduction (DISPATCH_SETPOINT_RELATIVE, kW, negative = less import, and the
 * exact Wh as IES_REQUESTED_WH), the price and the shortfall penalty (₹/kWh). It targets
 * its aggregator (the VEN's name) and asks for BASELINE, USAGE and DELTA_USAGE reports.
 */
export function toEvent(r: DrEventRecord): Record<string, unknown> {
  const e = r.event;
  return {
    id: objectId('event', r.eventId), createdDateTime: iso(r.history[0]?.at ?? 0), modificationDateTime: iso(r.history.at(-1)?.at ?? 0), objectType: 'EVENT',
    programID: objectId('program', r.programmeId),
    eventName: r.eventId,
    priority: 0,
    targets: [r.aggregatorId],
    reportDescriptors: REPORT_DESCRIPTORS,
    payloadDescriptors: EVENT_PAYLOADS,
    intervalPeriod: { start: iso(e.start), duration: INTERVAL },
    intervals: e.intervals.map((i, j) => ({
      id: j,
      intervalPeriod: { start: iso(i.intervalStart), duration: INTERVAL },
      payloads: [
        { type: 'DISPATCH_SETPOINT_RELATIVE', values: [-kwOf15MinWh(i.requestedWh)] },
        { type: 'PRICE', values: [rupees(i.pricePaisePerKwh)] },
        { type: 'IES_SHORTFALL_PENALTY', values: [rupees(i.shortfallPenaltyPaisePerKwh)] },
        { type: 'IES_REQUESTED_WH', values: [i.requestedWh] },
      ],
    })),
  };
}

/** An aggregator as a VEN (one per aggregator of the tenant, created by the registry). */
export function toVen(discomId: string, aggregatorId: string, name: string): Record<string, unknown> {
  return {
    id: objectId('ven', aggregatorId), createdDateTime: iso(0), modificationDateTime: iso(0), objectType: 'VEN',
    clientID: clientIdOf(discomId, aggregatorId), venName: aggregatorId, targets: [aggregatorId],
    attributes: [{ type: 'IES_PARTICIPANT_NAME', values: [name] }],
  };
}

/** A meter enrolled with an aggregator as a resource of its VEN; its targets are the programmes it is enrolled in. */
export function toResource(discomId: string, aggregatorId: string, meterId: string, programmes: readonly string[]): Record<string, unknown> {
  return {
    id: objectId('resource', `${aggregatorId}\n${meterId}`), createdDateTime: iso(0), modificationDateTime: iso(0), objectType: 'RESOURCE',
    clientID: clientIdOf(discomId, aggregatorId), resourceName: meterId, venID: objectId('ven', aggregatorId),
    targets: [...programmes].sort(),
    attributes: null,
  };
}

export interface BaselineRow {
  readonly meterId: string;
  readonly intervalStart: string;
  readonly baselineWh: number | null;
  readonly policy: string;
}

/** One interval's payloads: a value per payload type, or DATA_QUALITY MISSING when none is known. */
function intervalPayloads(values: readonly [string, number | null][]): { type: string; values: (number | string)[] }[] {
  const known = values.filter((v): v is [string, number] => v[1] !== null).map(([type, v]) => ({ type, values: [v] as (number | string)[] }));
  return known.length === values.length ? known : [...known, { type: 'DATA_QUALITY', values: ['MISSING'] }];
}

/** The event's intervals as indices of their starts. */
function startsOf(r: DrEventRecord): number[] {
  return r.event.intervals.map((i) => i.intervalStart);
}

function reportShell(r: DrEventRecord, id: string, name: string, at: number, payloadTypes: readonly string[]) {
  return {
    id: objectId('report', id), createdDateTime: iso(at), modificationDateTime: iso(at), objectType: 'REPORT',
    programID: objectId('program', r.programmeId), eventID: objectId('event', r.eventId),
    clientName: VTN_CLIENT, clientID: VTN_CLIENT, reportName: name,
    payloadDescriptors: REPORT_PAYLOADS.filter((d) => payloadTypes.includes(d.payloadType)),
  };
}

/** The event's baselines as a BASELINE report: one resource per meter, one interval per block (Wh). */
export function toBaselineReport(r: DrEventRecord, rows: readonly BaselineRow[], at: number): Record<string, unknown> {
  const starts = startsOf(r);
  const meters = new Map<string, (number | null)[]>();
  for (const row of rows) {
    const j = starts.indexOf(Date.parse(row.intervalStart));
    if (j < 0) continue;
    const m = meters.get(row.meterId) ?? meters.set(row.meterId, starts.map(() => null)).get(row.meterId)!;
    m[j] = row.baselineWh;
  }
  const policy = rows[0]?.policy ?? r.event.methodology.ref;
  return {
    ...reportShell(r, `${r.eventId}\nbaseline`, `BASELINE ${policy}`, at, ['BASELINE']),
    resources: [...meters.entries()].map(([meterId, wh]) => ({
      resourceName: meterId,
      intervalPeriod: { start: iso(r.event.start), duration: INTERVAL },
      intervals: wh.map((v, j) => ({ id: j, intervalPeriod: { start: iso(starts[j]!), duration: INTERVAL }, payloads: intervalPayloads([['BASELINE', v]]) })),
    })),
  };
}

export interface PerformanceView {
  readonly version: number;
  readonly computedAtMs: number;
  readonly meters: readonly { meterId: string; deliveredWh: readonly number[] }[];
  readonly intervals: readonly { deliveredWh: number; shortfallWh: number }[];
}

/**
 * A measured performance version as a report: per meter USAGE (the reads it was measured
 * on), BASELINE and DELTA_USAGE = usage − baseline (negative = reduction), and an
 * AGGREGATED_REPORT resource with the delivered and shortfall Wh we settle on. Each
 * performance version is a report of its own (`… v<N>`).
 */
export function toPerformanceReport(r: DrEventRecord, perf: PerformanceView, baselines: readonly BaselineRow[], usage: ReadonlyMap<string, readonly (number | null)[]>): Record<string, unknown> {
  const starts = startsOf(r);
  const base = new Map<string, (number | null)[]>();
  for (const row of baselines) {
    const j = starts.indexOf(Date.parse(row.intervalStart));
    if (j < 0) continue;
    (base.get(row.meterId) ?? base.set(row.meterId, starts.map(() => null)).get(row.meterId)!)[j] = row.baselineWh;
  }
  const interval = (j: number, payloads: { type: string; values: (number | string)[] }[]) => ({ id: j, intervalPeriod: { start: iso(starts[j]!), duration: INTERVAL }, payloads });
  const meters = perf.meters.map((m) => ({
    resourceName: m.meterId,
    intervalPeriod: { start: iso(r.event.start), duration: INTERVAL },
    intervals: starts.map((_, j) => {
      const u = usage.get(m.meterId)?.[j] ?? null;
      const b = base.get(m.meterId)?.[j] ?? null;
      return interval(j, intervalPayloads([['USAGE', u], ['BASELINE', b], ['DELTA_USAGE', u === null || b === null ? null : u - b]]));
    }),
  }));
  const aggregate = {
    resourceName: 'AGGREGATED_REPORT',
    intervalPeriod: { start: iso(r.event.start), duration: INTERVAL },
    intervals: perf.intervals.map((i, j) => interval(j, [{ type: 'IES_DELIVERED_WH', values: [i.deliveredWh] }, { type: 'IES_SHORTFALL_WH', values: [i.shortfallWh] }])),
  };
  return { ...reportShell(r, `${r.eventId}\nperformance\n${perf.version}`, `PERFORMANCE v${perf.version}`, perf.computedAtMs, ['USAGE', 'BASELINE', 'DELTA_USAGE']), resources: [...meters, aggregate] };
}
