/**
 * What changed between two statements of one DISCOM and scope (e.g. two runs of a day), line
 * by line, each change with the reason a settlement desk names:
 *
 *   LATE_READ     the line's trade was pending (a read or an allocation missing) in the
 *                 earlier statement and is not in the later one: the data arrived.
 *   POLICY        the trade is still pending in both, and the missing-data policy that
 *                 touched the line differs, or the policy pack changed.
 *   REVISED_READ  the trade was settled on all its reads in both and a figure moved: a read
 *                 was revised (a DR event re-measured, for DR lines).
 *   DISPUTE       an adjustment line of an upheld dispute came or went (its reference is the
 *                 dispute id, `DSP-…`: the run applied the dispute's decision).
 *   ADJUSTMENT    any other adjustment line came or went.
 *
 * Lines are matched on (kind, reference, interval, meter, payer, payee) and differ when a
 * quantity, rate or amount does. A pure function of
 * the two documents: anyone holding both can recompute it.
 */
import type { StatementContent, StatementLine } from '@ies/verify';
import { diffStatements } from './statement-revisions.js';
import { compareText } from './statement-order.js';
import { isDisputeId } from './dispute.js';

export const DIFF_REASONS = ['LATE_READ', 'REVISED_READ', 'POLICY', 'DISPUTE', 'ADJUSTMENT'] as const;
export type DiffReason = (typeof DIFF_REASONS)[number];

export interface LineFigures {
  readonly quantityWh: number | null;
  readonly ratePaisePerKwh: number | null;
  readonly amountPaise: number;
  readonly missingData: string | null;
}

/** A line that changed: the statement line's identity (StatementLine's own fields) and its figures before and after. */
export interface LineChange extends Pick<StatementLine, 'kind' | 'reference' | 'intervalStartMs' | 'intervalEndMs' | 'meterId' | 'payer' | 'payee'> {
  readonly change: 'ADDED' | 'REMOVED' | 'CHANGED';
  readonly reason: DiffReason;
  readonly before: LineFigures | null;
  readonly after: LineFigures | null;
}

export interface StatementDiff {
  readonly from: { readonly id: string; readonly run: string | null };
  readonly to: { readonly id: string; readonly run: string | null };
  readonly lines: readonly LineChange[];
  /** References pending in `from` and not in `to` (resolved), and the other way round (opened). */
  readonly pending: { readonly resolved: readonly string[]; readonly opened: readonly string[] };
  readonly netPositions: readonly { counterparty: string; netPaiseDelta: number }[];
  readonly totals: { readonly before: StatementContent['totals']; readonly after: StatementContent['totals'] };
}

const keyOf = (l: StatementLine) => [l.kind, l.reference, l.intervalStartMs ?? '', l.meterId ?? '', l.payer, l.payee].join('\u0000');
const figures = (l: StatementLine): LineFigures => ({ quantityWh: l.quantityWh, ratePaisePerKwh: l.ratePaisePerKwh, amountPaise: l.amountPaise, missingData: l.missingData ?? null });
// A line whose figures stand and only lose (or gain) a missing-data mark is not a change of
// money: the trade's move out of `pending` says it.
const sameFigures = (a: LineFigures, b: LineFigures) => a.quantityWh === b.quantityWh && a.ratePaisePerKwh === b.ratePaisePerKwh && a.amountPaise === b.amountPaise;

export function statementDiff(from: StatementContent, to: StatementContent): StatementDiff {
  const pendingFrom = new Set([...from.pending.map((p) => p.reference), ...from.excluded.filter((e) => e.reason === 'MISSING_DATA').map((e) => e.reference)]);
  const pendingTo = new Set([...to.pending.map((p) => p.reference), ...to.excluded.filter((e) => e.reason === 'MISSING_DATA').map((e) => e.reference)]);
  const packChanged = from.policy.sha256 !== to.policy.sha256;
  const reason = (line: StatementLine, before: LineFigures | null, after: LineFigures | null): DiffReason => {
    if (line.kind === 'ADJUSTMENT') return isDisputeId(line.reference) ? 'DISPUTE' : 'ADJUSTMENT';
    if (pendingFrom.has(line.reference) && !pendingTo.has(line.reference)) return 'LATE_READ';
    if (pendingFrom.has(line.reference) && pendingTo.has(line.reference)) return 'POLICY';
    if (packChanged || (before?.missingData ?? null) !== (after?.missingData ?? null)) return 'POLICY';
    return 'REVISED_READ';
  };
  const index = (lines: readonly StatementLine[]) => {
    const m = new Map<string, StatementLine>();
    const seen = new Map<string, number>();
    for (const l of lines) {
      // A key is unique on a well-formed statement; a repeat is numbered rather than lost.
      const k = keyOf(l);
      const n = seen.get(k) ?? 0;
      seen.set(k, n + 1);
      m.set(n === 0 ? k : `${k}\u0000#${n}`, l);
    }
    return m;
  };
  const a = index(from.lines);
  const b = index(to.lines);
  const changes: { key: string; change: LineChange }[] = [];
  const push = (key: string, kind: LineChange['change'], line: StatementLine, before: LineFigures | null, after: LineFigures | null) => {
    changes.push({ key, change: { change: kind, reason: reason(line, before, after), kind: line.kind, reference: line.reference, intervalStartMs: line.intervalStartMs, intervalEndMs: line.intervalEndMs, meterId: line.meterId, payer: line.payer, payee: line.payee, before, after } });
  };
  for (const [k, l] of a) {
    const other = b.get(k);
    if (other === undefined) push(k, 'REMOVED', l, figures(l), null);
    else if (!sameFigures(figures(l), figures(other))) push(k, 'CHANGED', other, figures(l), figures(other));
  }
  for (const [k, l] of b) if (!a.has(k)) push(k, 'ADDED', l, null, figures(l));
  changes.sort((x, y) => compareText(x.key, y.key));
  return {
    from: { id: from.id, run: from.run?.name ?? null },
    to: { id: to.id, run: to.run?.name ?? null },
    lines: changes.map((c) => c.change),
    pending: { resolved: [...pendingFrom].filter((r) => !pendingTo.has(r)).sort(compareText), opened: [...pendingTo].filter((r) => !pendingFrom.has(r)).sort(compareText) },
    netPositions: diffStatements(from, to),
    totals: { before: from.totals, after: to.totals },
  };
}
