import { QUEUES } from '@ies/contracts';
import type { StatementScope } from '@ies/verify';
import { istDayOf, istDayStart } from '@ies/units';
import type { PolicyPack } from './domain/policy-pack.js';

export const STATEMENT_QUEUE = QUEUES.settlementStatements;

/** A job: run one scope's statement, or sweep a DISCOM's recent days (the repeatable job). */
export type StatementJob = { readonly kind: 'RUN'; readonly discomId: string; readonly scope: StatementScope; readonly run?: string; readonly askedAtMs?: number } | { readonly kind: 'SWEEP'; readonly discomId: string };

const DAY_MS = 86_400_000;

/**
 * Deterministic job id of a scope's run: while such a job waits or runs, adding it again is
 * a no-op (bullmq), so a sweep and an API request never run a scope twice at once. bullmq
 * refuses ':' in ids; event ids are percent-encoded.
 */
export function runJobId(discomId: string, scope: StatementScope, run?: string): string {
  if (scope.kind === 'DAY') return run === undefined ? `stmt.${discomId}.day.${scope.day}` : `stmt.${discomId}.day.${scope.day}.${run}`;
  return `stmt.${discomId}.dr.${encodeURIComponent(scope.eventId)}`;
}

export function sweepSchedulerId(discomId: string): string {
  return `stmt-sweep.${discomId}`;
}

/**
 * The IST days whose statements are due at `nowMs`: every day that ended at least `graceMs`
 * ago, back `windowDays` days from the latest such day (older days are left as they are),
 * oldest first.
 */
export function dueDays(nowMs: number, graceMs: number, windowDays: number): string[] {
  // The day holding now − grace has not ended by then; the one before it has.
  const latest = istDayOf(nowMs - graceMs - DAY_MS);
  const end = istDayStart(latest)!;
  return Array.from({ length: windowDays }, (_, i) => istDayOf(end - (windowDays - 1 - i) * DAY_MS));
}

/**
 * How many days back a DISCOM's sweep looks: `windowDays`, or far enough to reach the last
 * run of the longest settlement calendar among its packs (a FINAL at D+30 needs 31 days),
 * so every run of a day is asked for in its turn.
 */
export function sweepWindowDays(packs: readonly PolicyPack[], discomId: string, windowDays: number): number {
  let days = windowDays;
  for (const p of packs) {
    if (p.discomId !== discomId || p.calendar === undefined) continue;
    const last = Math.max(...p.calendar.runs.map((r) => r.cutoffMinutesAfterDayEnd));
    days = Math.max(days, Math.ceil(last / 1440) + 1);
  }
  return days;
}
