/**
 * The total order of statement lines and parties, so sorting makes a statement independent
 * of input order (and its bytes reproducible). Text compares by UTF-16 code units, not
 * locale, so every node sorts alike.
 */
import { LINE_KINDS, type StatementLine } from '@ies/verify';

const KIND_RANK = new Map(LINE_KINDS.map((k, i) => [k, i]));
export const compareText = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
const compareNullable = (a: number | null, b: number | null) => (a ?? -1) - (b ?? -1);

/** A total order on lines: reference, interval, kind, then every other field. */
export function compareLines(a: StatementLine, b: StatementLine): number {
  return (
    compareText(a.reference, b.reference) ||
    compareNullable(a.intervalStartMs, b.intervalStartMs) ||
    KIND_RANK.get(a.kind)! - KIND_RANK.get(b.kind)! ||
    compareText(a.meterId ?? '', b.meterId ?? '') ||
    compareText(a.payer, b.payer) ||
    compareText(a.payee, b.payee) ||
    compareNullable(a.quantityWh, b.quantityWh) ||
    compareNullable(a.ratePaisePerKwh, b.ratePaisePerKwh) ||
    a.amountPaise - b.amountPaise ||
    compareText(a.note ?? '', b.note ?? '')
  );
}
