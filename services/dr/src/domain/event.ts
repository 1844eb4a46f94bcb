import { createHash } from 'node:crypto';
import { ID_GRAMMAR, isSafeId } from '@ies/contracts';
import { BLOCK_MS, dateOfDayIndex, formatIstTime, istDayIndexOf, MAX_DR_INTERVAL_WH, MAX_RATE_PAISE_PER_KWH } from '@ies/units';
import { throwProblems, type Problem } from './codes.js';
import { POLICY_REF } from './policy-pack.js';

/**
 * A DR event request (what an aggregator or DISCOM submits) and its normalised form.
 *
 * Units: the window is UTC epoch ms on 15-minute boundaries within one IST day; every
 * interval carries energy in integer Wh for that 15 minutes (requested and, once the
 * aggregator has offered, offered capacity; 1 kW held for 15 minutes = 250 Wh) and prices in
 * integer paise per kWh. Meters are listed inline, or pinned by the DEG
 * `participatingMetersDigest` when the cohort is too large to carry (or both, cross-checked).
 */
export interface DrEventRequest {
  readonly eventId: string;
  readonly programmeId: string;
  readonly aggregatorId: string;
  readonly window: { readonly start: number; readonly end: number };
  readonly intervals: readonly DrEventIntervalRequest[];
  readonly participatingMeters?: readonly string[];
  readonly participatingMetersDigest?: { readonly count: number; readonly sha256OfSortedIds: string };
  /** Baseline methodology as a policy pack reference `id@version`, e.g. `deg-5of10@1`. */
  readonly methodology: string;
}

export interface DrEventIntervalRequest {
  readonly requestedWh: number;
  readonly offeredWh?: number;
  readonly pricePaisePerKwh: number;
  readonly shortfallPenaltyPaisePerKwh: number;
}

export interface DrEventInterval {
  readonly intervalStart: number;
  readonly requestedWh: number;
  /** Null until the aggregator has offered capacity (DEG CAPACITY_OFFERED). */
  readonly offeredWh: number | null;
  readonly pricePaisePerKwh: number;
  readonly shortfallPenaltyPaisePerKwh: number;
}

export interface DrEvent {
  readonly eventId: string;
  readonly programmeId: string;
  readonly aggregatorId: string;
  readonly start: number;
  readonly end: number;
  /** IST date of the event. */
  readonly eventDay: string;
  readonly intervals: readonly DrEventInterval[];
  /** Sorted by Unicode code point; null when only the digest was given. */
  readonly participatingMeters: readonly string[] | null;
  readonly meterCount: number;
  /** Lower-case hex SHA-256 of the sorted, newline-joined meter ids. */
  readonly participatingMetersDigest: string;
  readonly methodology: { readonly ref: string; readonly id: string; readonly version: number };
}

const DIGEST = /^(?:sha256:)?([0-9a-f]{64})$/;
/** Window bounds are instants a date can name (a safe integer can be far outside Date's range). */
const LATEST_INSTANT_MS = Date.UTC(10000, 0, 1);
const MEMBERS = ['eventId', 'programmeId', 'aggregatorId', 'window', 'intervals', 'participatingMeters', 'participatingMetersDigest', 'methodology'];
const INTERVAL_MEMBERS = ['requestedWh', 'offeredWh', 'pricePaisePerKwh', 'shortfallPenaltyPaisePerKwh'];
const BOUNDED: readonly (readonly [string, number])[] = [
  ['requestedWh', MAX_DR_INTERVAL_WH], ['offeredWh', MAX_DR_INTERVAL_WH],
  ['pricePaisePerKwh', MAX_RATE_PAISE_PER_KWH], ['shortfallPenaltyPaisePerKwh', MAX_RATE_PAISE_PER_KWH],
];

/** Orders strings by Unicode code point (= UTF-8 byte order), not by UTF-16 code unit. */
export function compareCodePoints(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    let x = a.charCodeAt(i);
    let y = b.charCodeAt(i);
    if (x === y) continue;
    // Surrogates (D800–DFFF) encode code points above FFFF: move them above E000–FFFF.
    if (x >= 0xd800) x = x >= 0xe000 ? x - 0x800 : x + 0x2000;
    if (y >= 0xd800) y = y >= 0xe000 ? y - 0x800 : y + 0x2000;
    return x - y;
  }
  return a.length - b.length;
}

/**
 * DEG `participatingMetersDigest.sha256OfSortedIds`: hex SHA-256 over the UTF-8 bytes of the
 * meter ids sorted by code point and joined with "\n" (no trailing newline). DEG names the
 * digest "sha256 of the sorted meter IDs" without fixing the separator; this is the choice
 * made here (README, "Participating meters digest"). Duplicates are refused.
 */
export function participatingMetersDigest(ids: readonly string[]): string {
  const sorted = [...ids].sort(compareCodePoints);
  for (let i = 1; i < sorted.length; i++) if (sorted[i] === sorted[i - 1]) throw new RangeError(`meter id "${sorted[i]}" is listed twice`);
  return createHash('sha256').update(sorted.join('\n'), 'utf8').digest('hex');
}

const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);
const isCount = (v: unknown): v is number => typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;

/**
 * Validates a DR event request and returns its normalised form, or throws
 * IES_ERR_DR_EVENT_INVALID listing every problem with its path. `policies` (optional) says
 * which methodologies are loaded.
 */
export function normaliseDrEvent(request: unknown, options: { policies?: { has(ref: string): boolean } } = {}): DrEvent {
  const problems: Problem[] = [];
  const add = (path: string, message: string) => problems.push({ path, message });
  if (!isObject(request)) throwProblems('IES_ERR_DR_EVENT_INVALID', 'DR event is invalid', [{ path: '$', message: 'must be an object' }]);
  const r = request;
  for (const key of Object.keys(r)) if (!MEMBERS.includes(key)) add(`$.${key}`, 'unknown member');

  const id = (key: string): string => {
    const v = r[key];
    if (!isSafeId(v)) add(`$.${key}`, `must be an id of ${ID_GRAMMAR}, got ${JSON.stringify(v)}`);
    return v as string;
  };
  const eventId = id('eventId');
  const programmeId = id('programmeId');
  const aggregatorId = id('aggregatorId');

  // Window
  let start = Number.NaN;
  let end = Number.NaN;
  let windowOk = false;
  if (!isObject(r['window'])) add('$.window', 'must be an object { start, end } of UTC epoch ms');
  else {
    const w = r['window'];
    for (const key of Object.keys(w)) if (key !== 'start' && key !== 'end') add(`$.window.${key}`, 'unknown member');
    start = w['start'] as number;
    end = w['end'] as number;
    windowOk = true;
    for (const [key, v] of [['start', start], ['end', end]] as const) {
      if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 0 || v >= LATEST_INSTANT_MS) {
        add(`$.window.${key}`, `must be UTC epoch milliseconds from 1970 to 9999, got ${JSON.stringify(v)}`);
        windowOk = false;
      } else if (v % BLOCK_MS !== 0) {
        add(`$.window.${key}`, `${new Date(v).toISOString()} (${formatIstTime(v)}) is not on a 15-minute boundary`);
        windowOk = false;
      }
    }
    if (windowOk && end <= start) {
      add('$.window', `end ${new Date(end).toISOString()} is not after start ${new Date(start).toISOString()}`);
      windowOk = false;
    }
    if (windowOk && istDayIndexOf(start) !== istDayIndexOf(end - 1)) {
      add('$.window', `${formatIstTime(start)} on ${dateOfDayIndex(istDayIndexOf(start))} to ${formatIstTime(end)} on ${dateOfDayIndex(istDayIndexOf(end - 1))} crosses IST midnight; submit one event per IST day`);
      windowOk = false;
    }
  }

  // Intervals
  const intervals: DrEventInterval[] = [];
  const list = r['intervals'];
  if (!Array.isArray(list) || list.length === 0) add('$.intervals', 'must be a non-empty array, one entry per 15-minute interval of the window');
  else {
    if (windowOk && list.length !== (end - start) / BLOCK_MS) add('$.intervals', `has ${list.length} entries but the window ${formatIstTime(start)}–${formatIstTime(end)} has ${(end - start) / BLOCK_MS} 15-minute intervals`);
    list.forEach((entry: unknown, i) => {
      const path = `$.intervals[${i}]`;
      if (!isObject(entry)) return void add(path, 'must be an object');
      for (const key of Object.keys(entry)) if (!INTERVAL_MEMBERS.includes(key)) add(`${path}.${key}`, 'unknown member');
      // Bounded so an event's payment and penalty stay exact integers (@ies/units money-bounds).
      for (const [key, max] of BOUNDED) {
        const v = entry[key];
        if (v === undefined && key === 'offeredWh') continue;
        if (!isCount(v)) add(`${path}.${key}`, `must be a non-negative integer, got ${JSON.stringify(v)}`);
        else if (v > max) add(`${path}.${key}`, `${v} is above the maximum ${max} ${key.endsWith('Wh') ? 'Wh per 15-minute interval' : 'paise per kWh'}`);
      }
      intervals.push({
        intervalStart: start + i * BLOCK_MS,
        requestedWh: entry['requestedWh'] as number,
        offeredWh: (entry['offeredWh'] as number | undefined) ?? null,
        pricePaisePerKwh: entry['pricePaisePerKwh'] as number,
        shortfallPenaltyPaisePerKwh: entry['shortfallPenaltyPaisePerKwh'] as number,
      });
    });
  }

  // Participating meters
  let meters: string[] | null = null;
  let digest: string | undefined;
  let meterCount = 0;
  const inline = r['participatingMeters'];
  const pinned = r['participatingMetersDigest'];
  if (inline === undefined && pinned === undefined) add('$', 'needs participatingMeters or participatingMetersDigest');
  if (inline !== undefined) {
    if (!Array.isArray(inline) || inline.length === 0) add('$.participatingMeters', 'must be a non-empty array of meter ids');
    else {
      const seen = new Set<string>();
      inline.forEach((m: unknown, i) => {
        if (!isSafeId(m)) add(`$.participatingMeters[${i}]`, `must be a meter id of ${ID_GRAMMAR}, got ${JSON.stringify(m)}`);
        else if (seen.has(m)) add(`$.participatingMeters[${i}]`, `"${m}" is listed twice`);
        else seen.add(m);
      });
      if (seen.size === inline.length) {
        meters = [...seen].sort(compareCodePoints);
        meterCount = meters.length;
        digest = participatingMetersDigest(meters);
      }
    }
  }
  if (pinned !== undefined) {
    if (!isObject(pinned)) add('$.participatingMetersDigest', 'must be an object { count, sha256OfSortedIds }');
    else {
      for (const key of Object.keys(pinned)) if (key !== 'count' && key !== 'sha256OfSortedIds') add(`$.participatingMetersDigest.${key}`, 'unknown member');
      const count = pinned['count'];
      const hash = typeof pinned['sha256OfSortedIds'] === 'string' ? DIGEST.exec(pinned['sha256OfSortedIds']) : null;
      if (!isCount(count) || count === 0) add('$.participatingMetersDigest.count', `must be a positive integer, got ${JSON.stringify(count)}`);
      if (!hash) add('$.participatingMetersDigest.sha256OfSortedIds', `must be 64 lower-case hex digits, optionally prefixed "sha256:", got ${JSON.stringify(pinned['sha256OfSortedIds'])}`);
      if (hash && isCount(count)) {
        if (digest !== undefined && digest !== hash[1]) add('$.participatingMetersDigest.sha256OfSortedIds', `does not match the listed meters (their digest is sha256:${digest})`);
        if (meters !== null && count !== meters.length) add('$.participatingMetersDigest.count', `is ${count} but ${meters.length} meters are listed`);
        if (meters === null) {
          digest = hash[1];
          meterCount = count;
        }
      }
    }
  }

  // Methodology
  const methodology = r['methodology'];
  const ref = typeof methodology === 'string' ? POLICY_REF.exec(methodology) : null;
  if (!ref) add('$.methodology', `must be a policy pack reference id@version (e.g. deg-5of10@1), got ${JSON.stringify(methodology)}`);
  else if (options.policies && !options.policies.has(methodology as string)) add('$.methodology', `"${methodology}" is not a loaded policy pack`);

  if (problems.length > 0) throwProblems('IES_ERR_DR_EVENT_INVALID', `DR event ${typeof r['eventId'] === 'string' ? r['eventId'] : ''} is invalid`.replace('  ', ' '), problems);
  return Object.freeze({
    eventId,
    programmeId,
    aggregatorId,
    start,
    end,
    eventDay: dateOfDayIndex(istDayIndexOf(start)),
    intervals: Object.freeze(intervals.map((x) => Object.freeze(x))),
    participatingMeters: meters === null ? null : Object.freeze(meters),
    meterCount,
    participatingMetersDigest: digest!,
    methodology: Object.freeze({ ref: methodology as string, id: ref![1]!, version: Number(ref![2]) }),
  });
}
