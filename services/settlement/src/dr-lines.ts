import type { DrLineInput } from './domain/statement.js';

/** What a statement needs of a DR event: its identity, day, aggregator and lifecycle state. */
export interface DrEventSummary {
  readonly eventId: string;
  readonly aggregatorId: string;
  /** IST day of the event's delivery. */
  readonly eventDay: string;
  /** DR lifecycle state (DRAFT, ACTIVE, BASELINED, MEASURED, SETTLED, CANCELLED). */
  readonly state: string;
  /** Its transitions in order, each with its time (ms): what a calendar run reads the state as of its cut-off from. */
  readonly history?: readonly { readonly state: string; readonly at: number }[];
}

/** The latest measured performance of an event (the totals of dr-performance.v1). */
export interface DrPerformanceTotals {
  readonly version: number;
  readonly complete: boolean;
  readonly eligibleWh: number;
  readonly shortfallWh: number;
  readonly paymentPaise: number;
  readonly penaltyPaise: number;
}

/** Where DR inputs come from: the DR event store (Redis) and the measured performance (ClickHouse). */
export interface DrSource {
  eventsOnDay(discomId: string, day: string): Promise<readonly DrEventSummary[]>;
  event(discomId: string, eventId: string): Promise<DrEventSummary | undefined>;
  performance(discomId: string, eventId: string): Promise<DrPerformanceTotals | undefined>;
  /** The performance measured at or before `cutoffMs` (a calendar run's cut-off); without it, runs use `performance`. */
  performanceAt?(discomId: string, eventId: string, cutoffMs: number): Promise<DrPerformanceTotals | undefined>;
}

export interface DrStatementInputs {
  readonly drLines: DrLineInput[];
  readonly pending: { reference: string; reason: string }[];
}

/** States in which an event never went ahead: no lines, nothing pending. */
const NOT_HELD = new Set(['DRAFT', 'CANCELLED']);

/**
 * The statement lines of DR events: the DEG payment as DR_INCENTIVE (DISCOM → aggregator,
 * on the eligible Wh) and the shortfall penalty as DR_PENALTY (aggregator → DISCOM, on the
 * shortfall Wh), from the latest measured version. An event that went ahead but is not
 * measured yet, or whose measurement lacks a baseline or a read, is pending: the statement
 * stays a DRAFT until it is.
 */
export function drStatementInputs(events: readonly { event: DrEventSummary; performance: DrPerformanceTotals | undefined }[]): DrStatementInputs {
  const drLines: DrLineInput[] = [];
  const pending: { reference: string; reason: string }[] = [];
  for (const { event, performance } of events) {
    if (NOT_HELD.has(event.state)) continue;
    if (performance === undefined) {
      pending.push({ reference: event.eventId, reason: 'DR_AWAITING_MEASUREMENT' });
      continue;
    }
    if (!performance.complete) pending.push({ reference: event.eventId, reason: 'DR_MEASUREMENT_INCOMPLETE' });
    const base = { eventId: event.eventId, day: event.eventDay, aggregatorId: event.aggregatorId };
    if (performance.paymentPaise > 0) drLines.push({ ...base, kind: 'DR_INCENTIVE', amountPaise: performance.paymentPaise, quantityWh: performance.eligibleWh });
    if (performance.penaltyPaise > 0) drLines.push({ ...base, kind: 'DR_PENALTY', amountPaise: performance.penaltyPaise, quantityWh: performance.shortfallWh });
  }
  return { drLines, pending };
}
