// Checks of what OpenADR clients write (openadr3.yaml reportRequest, subscriptionRequest):
// each refusal names the member and the rule, and only the members the spec defines are kept.
import { IesError } from '@ies/errors';
import type { DrEventRecord } from '../event-store.js';
import { isObjectId } from './object-id.js';

const OBJECT_TYPES = ['PROGRAM', 'EVENT', 'REPORT', 'SUBSCRIPTION', 'VEN', 'RESOURCE'];
/**
 * 3.1's operations, and 3.0.1's HTTP-method names for them, which 3.1 clients still send
 * (openadr3-client 2.4's 3.1 models do): both are accepted and kept as sent.
 */
const OPERATIONS = ['READ', 'CREATE', 'UPDATE', 'DELETE', 'GET', 'POST', 'PUT'];
/** Bounds of one report (a VEN reports on its own event's meters and blocks). */
const MAX_RESOURCES = 10_000;
const MAX_INTERVALS = 96;
const MAX_PAYLOADS = 32;
const MAX_VALUES = 96;

const invalid = (what: string) => new IesError('IES_ERR_VALIDATION', what);
const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const text = (v: unknown, at: string, max = 128): string => {
  if (typeof v !== 'string' || v.length < 1 || v.length > max) throw invalid(`${at} must be a string of 1 to ${max} characters`);
  return v;
};
const optionalText = (v: unknown, at: string, max = 128): string | null => (v === undefined || v === null ? null : text(v, at, max));
const list = (v: unknown, at: string, max: number): unknown[] => {
  if (!Array.isArray(v) || v.length > max) throw invalid(`${at} must be an array of at most ${max} items`);
  return v;
};
const targets = (v: unknown, at: string): string[] | null => (v === undefined || v === null ? null : list(v, at, 100).map((t, i) => text(t, `${at}[${i}]`)));

function value(v: unknown, at: string): unknown {
  if (typeof v === 'number' || typeof v === 'boolean') return v;
  if (typeof v === 'string' && v.length <= 1024) return v;
  if (isObject(v) && typeof v.x === 'number' && typeof v.y === 'number') return { x: v.x, y: v.y };
  throw invalid(`${at} must be a number, integer, string, boolean or point {x, y}`);
}

function intervalPeriod(v: unknown, at: string): Record<string, unknown> | undefined {
  if (v === undefined || v === null) return undefined;
  if (!isObject(v)) throw invalid(`${at} must be an object {start, duration, randomizeStart}`);
  const out: Record<string, unknown> = {};
  if (v.start !== undefined) {
    if (typeof v.start !== 'string' || Number.isNaN(Date.parse(v.start))) throw invalid(`${at}.start must be an RFC 3339 date-time`);
    out.start = v.start;
  }
  for (const k of ['duration', 'randomizeStart'] as const) {
    if (v[k] === undefined || v[k] === null) continue;
    if (typeof v[k] !== 'string' || !/^-?P(?=\d|T\d)(\d+Y)?(\d+M)?(\d+[DW])?(T(\d+H)?(\d+M)?(\d+(\.\d+)?S)?)?$/.test(v[k] as string)) throw invalid(`${at}.${k} must be an ISO 8601 duration like PT15M`);
    out[k] = v[k];
  }
  return out;
}

/**
 * A VEN's report: on an event it can see (`eventID`), about that event's meters or
 * AGGREGATED_REPORT, with payloads of the spec's shape. The VEN's figures are its claim;
 * they are stored as given and never replace what we measured.
 */
export function checkReportRequest(body: unknown, eventOf: (objectId: string) => DrEventRecord | undefined): { request: Record<string, unknown>; event: DrEventRecord } {
  if (!isObject(body)) throw invalid('the report must be a JSON object (openadr3.yaml reportRequest)');
  const eventID = text(body.eventID, 'eventID');
  if (!isObjectId(eventID)) throw invalid('eventID must be an OpenADR objectID');
  const event = eventOf(eventID);
  if (!event) throw new IesError('IES_ERR_NOT_FOUND', `no event ${eventID} visible to this VEN: a VEN reports on its own dispatched events`);
  const meters = new Set(event.event.participatingMeters ?? []);
  const resources = list(body.resources, 'resources', MAX_RESOURCES).map((r, i) => {
    const at = `resources[${i}]`;
    if (!isObject(r)) throw invalid(`${at} must be an object {resourceName, intervalPeriod?, intervals}`);
    const resourceName = text(r.resourceName, `${at}.resourceName`);
    if (resourceName !== 'AGGREGATED_REPORT' && !meters.has(resourceName)) throw invalid(`${at}.resourceName ${resourceName} is not a meter of event ${event.eventId} (or AGGREGATED_REPORT)`);
    const intervals = list(r.intervals, `${at}.intervals`, MAX_INTERVALS).map((iv, j) => {
      const ai = `${at}.intervals[${j}]`;
      if (!isObject(iv) || !Number.isInteger(iv.id) || Math.abs(iv.id as number) > 2 ** 31) throw invalid(`${ai} must be an object with an int32 id and payloads`);
      const payloads = list(iv.payloads, `${ai}.payloads`, MAX_PAYLOADS).map((pl, k) => {
        if (!isObject(pl)) throw invalid(`${ai}.payloads[${k}] must be a valuesMap {type, values}`);
        return { type: text(pl.type, `${ai}.payloads[${k}].type`), values: list(pl.values, `${ai}.payloads[${k}].values`, MAX_VALUES).map((v, n) => value(v, `${ai}.payloads[${k}].values[${n}]`)) };
      });
      const period = intervalPeriod(iv.intervalPeriod, `${ai}.intervalPeriod`);
      return { id: iv.id, ...(period ? { intervalPeriod: period } : {}), payloads };
    });
    const period = intervalPeriod(r.intervalPeriod, `${at}.intervalPeriod`);
    return { resourceName, ...(period ? { intervalPeriod: period } : {}), intervals };
  });
  const payloadDescriptors = body.payloadDescriptors === undefined || body.payloadDescriptors === null ? null : list(body.payloadDescriptors, 'payloadDescriptors', MAX_PAYLOADS).map((d, i) => {
    if (!isObject(d)) throw invalid(`payloadDescriptors[${i}] must be a reportPayloadDescriptor`);
    const confidence = d.confidence === undefined || d.confidence === null ? null : Number.isInteger(d.confidence) && (d.confidence as number) >= 0 && (d.confidence as number) <= 100 ? d.confidence : (() => { throw invalid(`payloadDescriptors[${i}].confidence must be an integer 0–100`); })();
    const accuracy = d.accuracy === undefined || d.accuracy === null ? null : typeof d.accuracy === 'number' ? d.accuracy : (() => { throw invalid(`payloadDescriptors[${i}].accuracy must be a number`); })();
    return { objectType: 'REPORT_PAYLOAD_DESCRIPTOR', payloadType: text(d.payloadType, `payloadDescriptors[${i}].payloadType`), readingType: optionalText(d.readingType, `payloadDescriptors[${i}].readingType`), units: optionalText(d.units, `payloadDescriptors[${i}].units`), accuracy, confidence };
  });
  return { request: { eventID, clientName: text(body.clientName, 'clientName'), reportName: optionalText(body.reportName, 'reportName', 1024), payloadDescriptors, resources }, event };
}

/** A subscription: object operations with an http(s) callbackUrl, on a programme the client can see (optional). */
export function checkSubscriptionRequest(body: unknown, programVisible: (objectId: string) => boolean): Record<string, unknown> {
  if (!isObject(body)) throw invalid('the subscription must be a JSON object (openadr3.yaml subscriptionRequest)');
  const clientName = text(body.clientName, 'clientName');
  let programID: string | undefined;
  if (body.programID !== undefined && body.programID !== null) {
    programID = text(body.programID, 'programID');
    if (!isObjectId(programID) || !programVisible(programID)) throw new IesError('IES_ERR_NOT_FOUND', `no program ${programID} visible to this client`);
  }
  const objectOperations = list(body.objectOperations, 'objectOperations', 32).map((o, i) => {
    const at = `objectOperations[${i}]`;
    if (!isObject(o)) throw invalid(`${at} must be an object {objects, operations, callbackUrl, bearerToken?}`);
    const objects = list(o.objects, `${at}.objects`, OBJECT_TYPES.length).map((x, j) => {
      if (!OBJECT_TYPES.includes(x as string)) throw invalid(`${at}.objects[${j}] must be one of ${OBJECT_TYPES.join(', ')}`);
      return x as string;
    });
    const operations = list(o.operations, `${at}.operations`, OPERATIONS.length).map((x, j) => {
      if (!OPERATIONS.includes(x as string)) throw invalid(`${at}.operations[${j}] must be one of ${OPERATIONS.join(', ')}`);
      return x as string;
    });
    const callbackUrl = text(o.callbackUrl, `${at}.callbackUrl`, 8000);
    let url: URL;
    try {
      url = new URL(callbackUrl);
    } catch {
      throw invalid(`${at}.callbackUrl is not a URL`);
    }
    if (url.protocol !== 'https:' && url.protocol !== 'http:') throw invalid(`${at}.callbackUrl must be an http(s) URL`);
    return { objects, operations, callbackUrl, bearerToken: optionalText(o.bearerToken, `${at}.bearerToken`, 4096) };
  });
  if (objectOperations.length === 0) throw invalid('objectOperations must name at least one object operation');
  return { clientName, ...(programID === undefined ? {} : { programID }), objectOperations, targets: targets(body.targets, 'targets') };
}
