/**
 * A DISCOM's settlement calendar (policy pack `calendar`): named runs of each IST settlement
 * day, each with a data cut-off and the missing-data policy it applies. A run settles what
 * was known at its cut-off: a read counts for it if its allocation was stored at or before
 * the cut-off, so any later run of the same day can be recomputed exactly, at any time.
 *
 * The cut-off of run r for day D is the end of D (24:00 IST) plus r's offset. Runs are in
 * calendar order with strictly increasing cut-offs (INITIAL D+1, R1 D+5, R2 D+15, FINAL D+30
 * in the style of the BSC's SF/R1…R3/RF runs).
 */
import { istDayEnd } from '@ies/units';
import { SettlementError } from './codes.js';
import { MISSING_DATA_POLICIES, type MissingDataPolicy } from './missing-data-policy.js';

export interface CalendarRun {
  /** INITIAL, R1, …, FINAL: upper-case letters, digits and _, at most 16. */
  readonly name: string;
  /** Data cut-off as minutes after the settlement day's end (24:00 IST); 1440 = D+1. */
  readonly cutoffMinutesAfterDayEnd: number;
  readonly missingData: MissingDataPolicy;
}

export interface SettlementCalendar {
  readonly runs: readonly CalendarRun[];
  /**
   * Lets a run be asked for before its cut-off (tests, demos, a desk rehearsing a day): it is
   * then cut at the moment it is asked for, and that instant is its cut-off for good.
   */
  readonly allowEarlyRuns?: boolean;
}

export const RUN_NAME = /^[A-Z][A-Z0-9_]{0,15}$/;
const MINUTE_MS = 60_000;
/** A year after the day: anything later is a typo. */
const MAX_OFFSET_MINUTES = 366 * 1440;

/** The run chosen for a request: its calendar entry, cut-off and whether it is taken early. */
export interface ResolvedRun {
  readonly run: CalendarRun;
  readonly index: number;
  readonly cutoffMs: number;
  readonly early: boolean;
}

/** The calendar cut-off of the run for the IST day. */
export function runCutoff(day: string, run: CalendarRun): number {
  const end = istDayEnd(day);
  if (end === undefined) throw new SettlementError('IES_ERR_STATEMENT_INPUT_INVALID', `${day} is not a YYYY-MM-DD day`);
  return end + run.cutoffMinutesAfterDayEnd * MINUTE_MS;
}

/**
 * The run a request gets: the named one, or by default the latest run whose cut-off has
 * passed at `nowMs`. A named run whose cut-off is still ahead is refused
 * (IES_ERR_STATEMENT_RUN_NOT_DUE) unless the calendar allows early runs; it is then cut at
 * `nowMs`.
 */
export function resolveRun(calendar: SettlementCalendar | undefined, discomId: string, day: string, nowMs: number, requested?: string): ResolvedRun {
  if (calendar === undefined || calendar.runs.length === 0) throw new SettlementError('IES_ERR_STATEMENT_RUN_UNKNOWN', `the policy pack of ${discomId} in force on ${day} has no settlement calendar`);
  if (requested === undefined) {
    let chosen: ResolvedRun | undefined;
    calendar.runs.forEach((run, index) => {
      const cutoffMs = runCutoff(day, run);
      if (cutoffMs <= nowMs) chosen = { run, index, cutoffMs, early: false };
    });
    if (chosen === undefined) {
      const first = calendar.runs[0]!;
      throw new SettlementError('IES_ERR_STATEMENT_RUN_NOT_DUE', `no run of ${day} is due yet: the first, ${first.name}, cuts off at ${new Date(runCutoff(day, first)).toISOString()}`);
    }
    return chosen;
  }
  const index = calendar.runs.findIndex((r) => r.name === requested);
  if (index === -1) throw new SettlementError('IES_ERR_STATEMENT_RUN_UNKNOWN', `${discomId}'s calendar has no run ${requested}; its runs are ${calendar.runs.map((r) => r.name).join(', ')}`);
  const run = calendar.runs[index]!;
  const cutoffMs = runCutoff(day, run);
  if (cutoffMs <= nowMs) return { run, index, cutoffMs, early: false };
  if (calendar.allowEarlyRuns === true) return { run, index, cutoffMs: nowMs, early: true };
  throw new SettlementError('IES_ERR_STATEMENT_RUN_NOT_DUE', `run ${run.name} of ${day} cuts off at ${new Date(cutoffMs).toISOString()}, ${Math.ceil((cutoffMs - nowMs) / MINUTE_MS)} min from now; ${discomId}'s calendar does not allow early runs`);
}

/** Every problem of a `calendar` member of a policy pack (paths from `$.calendar`). */
export function calendarProblems(value: unknown): { path: string; message: string }[] {
  const problems: { path: string; message: string }[] = [];
  const add = (path: string, message: string) => problems.push({ path: `$.calendar${path}`, message });
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return [{ path: '$.calendar', message: 'must be an object {runs, allowEarlyRuns?}' }];
  const c = value as Record<string, unknown>;
  for (const k of Object.keys(c)) if (k !== 'runs' && k !== 'allowEarlyRuns') add(`.${k}`, 'unknown member (misspelt?)');
  if (c['allowEarlyRuns'] !== undefined && typeof c['allowEarlyRuns'] !== 'boolean') add('.allowEarlyRuns', 'must be true or false');
  const runs = c['runs'];
  if (!Array.isArray(runs) || runs.length === 0) {
    add('.runs', 'must be a non-empty array of runs');
    return problems;
  }
  const names = new Set<string>();
  let last = -1;
  runs.forEach((r: unknown, i) => {
    const path = `.runs[${i}]`;
    if (r === null || typeof r !== 'object' || Array.isArray(r)) return add(path, 'must be an object {name, cutoffMinutesAfterDayEnd, missingData}');
    const run = r as Record<string, unknown>;
    for (const k of Object.keys(run)) if (!['name', 'cutoffMinutesAfterDayEnd', 'missingData'].includes(k)) add(`${path}.${k}`, 'unknown member (misspelt?)');
    const name = run['name'];
    if (typeof name !== 'string' || !RUN_NAME.test(name)) add(`${path}.name`, `must match ${RUN_NAME.source}, got ${JSON.stringify(name)}`);
    else if (names.has(name)) add(`${path}.name`, `${name} is named twice`);
    else names.add(name);
    const offset = run['cutoffMinutesAfterDayEnd'];
    if (!Number.isSafeInteger(offset) || (offset as number) < 0 || (offset as number) > MAX_OFFSET_MINUTES) add(`${path}.cutoffMinutesAfterDayEnd`, `must be an integer from 0 to ${MAX_OFFSET_MINUTES}, got ${JSON.stringify(offset)}`);
    else if ((offset as number) <= last) add(`${path}.cutoffMinutesAfterDayEnd`, `${offset as number} must be after the previous run's ${last}: runs are in calendar order`);
    else last = offset as number;
    if (!MISSING_DATA_POLICIES.includes(run['missingData'] as MissingDataPolicy)) add(`${path}.missingData`, `must be one of ${MISSING_DATA_POLICIES.join(', ')}, got ${JSON.stringify(run['missingData'])}`);
  });
  return problems;
}
