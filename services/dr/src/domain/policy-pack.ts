import { DAY_TYPES, type DayType } from './calendar.js';
import { throwProblems, type Problem } from './codes.js';
import { BLOCK_MINUTES } from '@ies/units';

/**
 * A baseline policy pack: one method at one version, its parameters, and the rule's source.
 * Packs are data (services/dr/policies/*.json); a baseline names the pack it used as
 * `id@version`, so a settled figure can always be recomputed with the same rules.
 */
export type PolicyPack = LikeDaysPack | MeterBeforeAfterPack;

interface PackCommon {
  readonly id: string;
  readonly version: number;
  readonly source: { readonly title: string; readonly url: string; readonly section: string };
  /** Where each value comes from and how far it was verified. */
  readonly notes: readonly string[];
}

export interface LikeDaysPack extends PackCommon {
  readonly method: 'LIKE_DAYS';
  readonly parameters: LikeDaysParameters;
}

export interface MeterBeforeAfterPack extends PackCommon {
  readonly method: 'METER_BEFORE_AFTER';
  readonly parameters: MeterBeforeAfterParameters;
}

/**
 * Average of like days (CAISO 10-in-10, PJM high-4-of-5, NYISO average-day, ERCOT
 * middle-8-of-10, DEG bestOf/outOf): walk back from the event day, keep valid like days,
 * select some of them, average interval by interval, optionally adjust on the event day.
 */
export interface LikeDaysParameters {
  /** Calendar days searched before the event day (the event day itself never counts). */
  readonly lookbackDays: number;
  /** Days right before the event day that are skipped (NYISO skips the day before: 1). */
  readonly skipDaysBeforeEvent: number;
  /** A day with fewer than this percentage of its 96 intervals valid (non-null) is excluded. */
  readonly minValidReadsPercent: number;
  /** Partition of the four day types; the event day's group defines its like days. */
  readonly dayTypeGroups: readonly DayTypeGroup[];
  readonly adjustment: Adjustment;
}

export interface DayTypeGroup {
  readonly name: string;
  readonly dayTypes: readonly DayType[];
  /** Y: how many most recent valid like days are gathered. */
  readonly candidateDays: number;
  /** Fewer valid like days than this in the lookback → INSUFFICIENT_HISTORY. */
  readonly minCandidateDays: number;
  readonly selection: Selection;
  /** Drop candidates whose event-window energy is below a share of the candidates' mean or max. */
  readonly lowUsage: LowUsageRule | null;
}

export type Selection =
  | { readonly rule: 'ALL' }
  | { readonly rule: 'HIGHEST'; readonly count: number }
  | { readonly rule: 'MIDDLE'; readonly dropHighest: number; readonly dropLowest: number };

export interface LowUsageRule {
  readonly thresholdPercent: number;
  readonly reference: 'MEAN' | 'MAX';
}

/** Window offsets are minutes relative to the event start, multiples of 15, end ≤ 0. */
export type Adjustment =
  | { readonly type: 'NONE' }
  | { readonly type: 'MULTIPLICATIVE'; readonly windowStartOffsetMinutes: number; readonly windowEndOffsetMinutes: number; readonly minRatioPercent: number; readonly maxRatioPercent: number }
  | { readonly type: 'ADDITIVE'; readonly windowStartOffsetMinutes: number; readonly windowEndOffsetMinutes: number };

/** Baseline = mean event-day load in a window before the event, flat across the event. */
export interface MeterBeforeAfterParameters {
  readonly windowStartOffsetMinutes: number;
  readonly windowEndOffsetMinutes: number;
}

export function policyRef(pack: Pick<PolicyPack, 'id' | 'version'>): string {
  return `${pack.id}@${pack.version}`;
}

export const POLICY_ID = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;
export const POLICY_REF = /^([a-z0-9]+(?:-[a-z0-9]+)*)@([1-9][0-9]{0,5})$/;

type Json = Record<string, unknown>;

class Checker {
  readonly problems: Problem[] = [];
  add(path: string, message: string): void {
    this.problems.push({ path, message });
  }
  object(value: unknown, path: string, allowed: readonly string[]): Json | undefined {
    if (value === null || typeof value !== 'object' || Array.isArray(value)) {
      this.add(path, `must be an object, got ${describe(value)}`);
      return undefined;
    }
    for (const key of Object.keys(value)) if (!allowed.includes(key)) this.add(`${path}.${key}`, 'unknown member');
    return value as Json;
  }
  string(o: Json, key: string, path: string, pattern?: RegExp): string | undefined {
    const v = o[key];
    if (typeof v !== 'string' || v.trim() === '') return void this.add(`${path}.${key}`, `must be a non-empty string, got ${describe(v)}`);
    if (pattern && !pattern.test(v)) return void this.add(`${path}.${key}`, `"${v}" does not match ${pattern}`);
    return v;
  }
  int(o: Json, key: string, path: string, min: number, max: number): number | undefined {
    const v = o[key];
    if (typeof v !== 'number' || !Number.isInteger(v)) return void this.add(`${path}.${key}`, `must be an integer, got ${describe(v)}`);
    if (v < min || v > max) return void this.add(`${path}.${key}`, `must be between ${min} and ${max}, got ${v}`);
    return v;
  }
  oneOf<T extends string>(o: Json, key: string, path: string, values: readonly T[]): T | undefined {
    const v = o[key];
    if (typeof v !== 'string' || !(values as readonly string[]).includes(v)) return void this.add(`${path}.${key}`, `must be one of ${values.join(', ')}, got ${describe(v)}`);
    return v as T;
  }
}

function describe(v: unknown): string {
  return v === undefined ? 'nothing' : JSON.stringify(v);
}

/** Every problem in a policy pack document, each with its JSON path; empty when valid. */
export function validatePolicyPack(json: unknown): Problem[] {
  return check(json).problems;
}

/** A valid, frozen policy pack, or IES_ERR_DR_POLICY_PACK_INVALID listing every problem. */
export function parsePolicyPack(json: unknown): PolicyPack {
  const { problems, pack } = check(json);
  if (problems.length > 0 || pack === undefined) throwProblems('IES_ERR_DR_POLICY_PACK_INVALID', 'policy pack is invalid', problems);
  return deepFreeze(pack);
}

function check(json: unknown): { problems: Problem[]; pack?: PolicyPack } {
  const c = new Checker();
  const root = c.object(json, '$', ['id', 'version', 'method', 'parameters', 'source', 'notes']);
  if (!root) return { problems: c.problems };
  const id = c.string(root, 'id', '$', POLICY_ID);
  const version = c.int(root, 'version', '$', 1, 999_999);
  const method = c.oneOf(root, 'method', '$', ['LIKE_DAYS', 'METER_BEFORE_AFTER'] as const);
  const sourceObj = c.object(root['source'], '$.source', ['title', 'url', 'section']);
  const source = sourceObj && {
    title: c.string(sourceObj, 'title', '$.source'),
    url: c.string(sourceObj, 'url', '$.source', /^https:\/\/\S+$/),
    section: c.string(sourceObj, 'section', '$.source'),
  };
  let notes: string[] = [];
  if (root['notes'] !== undefined) {
    if (!Array.isArray(root['notes']) || root['notes'].some((n) => typeof n !== 'string')) c.add('$.notes', 'must be an array of strings');
    else notes = root['notes'] as string[];
  }
  let parameters: LikeDaysParameters | MeterBeforeAfterParameters | undefined;
  if (method === 'LIKE_DAYS') parameters = likeDays(c, root['parameters']);
  else if (method === 'METER_BEFORE_AFTER') parameters = meterBeforeAfter(c, root['parameters']);
  if (c.problems.length > 0) return { problems: c.problems };
  return { problems: [], pack: { id, version, method, parameters, source, notes } as PolicyPack };
}

function likeDays(c: Checker, value: unknown): LikeDaysParameters | undefined {
  const path = '$.parameters';
  const p = c.object(value, path, ['lookbackDays', 'skipDaysBeforeEvent', 'minValidReadsPercent', 'dayTypeGroups', 'adjustment']);
  if (!p) return undefined;
  const lookbackDays = c.int(p, 'lookbackDays', path, 1, 366);
  const skipDaysBeforeEvent = c.int(p, 'skipDaysBeforeEvent', path, 0, Math.max(0, (lookbackDays ?? 366) - 1));
  const minValidReadsPercent = c.int(p, 'minValidReadsPercent', path, 0, 100);
  const groupsValue = p['dayTypeGroups'];
  const dayTypeGroups: DayTypeGroup[] = [];
  if (!Array.isArray(groupsValue) || groupsValue.length === 0) c.add(`${path}.dayTypeGroups`, 'must be a non-empty array');
  else {
    const seenTypes = new Map<string, number>();
    const names = new Set<string>();
    groupsValue.forEach((g: unknown, i) => {
      const gp = `${path}.dayTypeGroups[${i}]`;
      const group = dayTypeGroup(c, g, gp, lookbackDays ?? 366);
      if (!group) return;
      if (names.has(group.name)) c.add(`${gp}.name`, `duplicate group name "${group.name}"`);
      names.add(group.name);
      for (const t of group.dayTypes) {
        if (seenTypes.has(t)) c.add(`${gp}.dayTypes`, `${t} is already in dayTypeGroups[${seenTypes.get(t)}]`);
        seenTypes.set(t, i);
      }
      dayTypeGroups.push(group);
    });
    for (const t of DAY_TYPES) if (!seenTypes.has(t)) c.add(`${path}.dayTypeGroups`, `no group covers ${t}; the groups must partition ${DAY_TYPES.join(', ')}`);
  }
  const adjustment = adjustmentOf(c, p['adjustment'], `${path}.adjustment`);
  return { lookbackDays, skipDaysBeforeEvent, minValidReadsPercent, dayTypeGroups, adjustment } as LikeDaysParameters;
}

function dayTypeGroup(c: Checker, value: unknown, path: string, lookbackDays: number): DayTypeGroup | undefined {
  const g = c.object(value, path, ['name', 'dayTypes', 'candidateDays', 'minCandidateDays', 'selection', 'lowUsage']);
  if (!g) return undefined;
  const name = c.string(g, 'name', path);
  const types = g['dayTypes'];
  let dayTypes: DayType[] = [];
  if (!Array.isArray(types) || types.length === 0 || types.some((t) => !(DAY_TYPES as readonly unknown[]).includes(t))) c.add(`${path}.dayTypes`, `must be a non-empty array of ${DAY_TYPES.join(', ')}`);
  else if (new Set(types).size !== types.length) c.add(`${path}.dayTypes`, 'lists a day type twice');
  else dayTypes = types as DayType[];
  const candidateDays = c.int(g, 'candidateDays', path, 1, lookbackDays);
  const minCandidateDays = c.int(g, 'minCandidateDays', path, 1, candidateDays ?? lookbackDays);
  const selection = selectionOf(c, g['selection'], `${path}.selection`, minCandidateDays ?? 1);
  let lowUsage: LowUsageRule | null = null;
  if (g['lowUsage'] !== null && g['lowUsage'] !== undefined) {
    const lp = `${path}.lowUsage`;
    const l = c.object(g['lowUsage'], lp, ['thresholdPercent', 'reference']);
    if (l) lowUsage = { thresholdPercent: c.int(l, 'thresholdPercent', lp, 1, 100)!, reference: c.oneOf(l, 'reference', lp, ['MEAN', 'MAX'] as const)! };
  }
  if (name === undefined) return undefined;
  return { name, dayTypes, candidateDays: candidateDays!, minCandidateDays: minCandidateDays!, selection: selection!, lowUsage };
}

function selectionOf(c: Checker, value: unknown, path: string, minCandidateDays: number): Selection | undefined {
  const s = c.object(value, path, ['rule', 'count', 'dropHighest', 'dropLowest']);
  if (!s) return undefined;
  const rule = c.oneOf(s, 'rule', path, ['ALL', 'HIGHEST', 'MIDDLE'] as const);
  // Bounds by minCandidateDays so that every accepted candidate set can be selected from.
  if (rule === 'ALL') {
    for (const k of ['count', 'dropHighest', 'dropLowest']) if (k in s) c.add(`${path}.${k}`, 'not used by rule ALL');
    return { rule };
  }
  if (rule === 'HIGHEST') {
    for (const k of ['dropHighest', 'dropLowest']) if (k in s) c.add(`${path}.${k}`, 'not used by rule HIGHEST');
    const count = c.int(s, 'count', path, 1, minCandidateDays);
    return count === undefined ? undefined : { rule, count };
  }
  if (rule === 'MIDDLE') {
    if ('count' in s) c.add(`${path}.count`, 'not used by rule MIDDLE');
    const dropHighest = c.int(s, 'dropHighest', path, 0, minCandidateDays - 1);
    const dropLowest = c.int(s, 'dropLowest', path, 0, minCandidateDays - 1);
    if (dropHighest !== undefined && dropLowest !== undefined && dropHighest + dropLowest >= minCandidateDays) c.add(path, `dropHighest + dropLowest (${dropHighest + dropLowest}) must leave at least one of minCandidateDays (${minCandidateDays})`);
    return dropHighest === undefined || dropLowest === undefined ? undefined : { rule, dropHighest, dropLowest };
  }
  return undefined;
}

function windowOf(c: Checker, o: Json, path: string): { windowStartOffsetMinutes: number; windowEndOffsetMinutes: number } | undefined {
  const start = c.int(o, 'windowStartOffsetMinutes', path, -1440, 0);
  const end = c.int(o, 'windowEndOffsetMinutes', path, -1440, 0);
  for (const [key, v] of [['windowStartOffsetMinutes', start], ['windowEndOffsetMinutes', end]] as const) if (v !== undefined && v % BLOCK_MINUTES !== 0) c.add(`${path}.${key}`, `${v} is not a multiple of ${BLOCK_MINUTES} minutes`);
  if (start !== undefined && end !== undefined && start >= end) c.add(path, `window start ${start} min must be before window end ${end} min`);
  return start === undefined || end === undefined ? undefined : { windowStartOffsetMinutes: start, windowEndOffsetMinutes: end };
}

function adjustmentOf(c: Checker, value: unknown, path: string): Adjustment | undefined {
  const a = c.object(value, path, ['type', 'windowStartOffsetMinutes', 'windowEndOffsetMinutes', 'minRatioPercent', 'maxRatioPercent']);
  if (!a) return undefined;
  const type = c.oneOf(a, 'type', path, ['NONE', 'MULTIPLICATIVE', 'ADDITIVE'] as const);
  if (type === 'NONE') {
    for (const k of Object.keys(a)) if (k !== 'type') c.add(`${path}.${k}`, 'not used by adjustment NONE');
    return { type };
  }
  if (type === 'ADDITIVE') {
    for (const k of ['minRatioPercent', 'maxRatioPercent']) if (k in a) c.add(`${path}.${k}`, 'not used by adjustment ADDITIVE');
    const w = windowOf(c, a, path);
    return w && { type, ...w };
  }
  if (type === 'MULTIPLICATIVE') {
    const w = windowOf(c, a, path);
    // Caps are required: a multiplicative ratio over a zero baseline window is unbounded.
    const minRatioPercent = c.int(a, 'minRatioPercent', path, 0, 100);
    const maxRatioPercent = c.int(a, 'maxRatioPercent', path, 100, 1000);
    return w && minRatioPercent !== undefined && maxRatioPercent !== undefined ? { type, ...w, minRatioPercent, maxRatioPercent } : undefined;
  }
  return undefined;
}

function meterBeforeAfter(c: Checker, value: unknown): MeterBeforeAfterParameters | undefined {
  const path = '$.parameters';
  const p = c.object(value, path, ['windowStartOffsetMinutes', 'windowEndOffsetMinutes']);
  return p && windowOf(c, p, path);
}

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    for (const v of Object.values(value)) deepFreeze(v);
    Object.freeze(value);
  }
  return value;
}
