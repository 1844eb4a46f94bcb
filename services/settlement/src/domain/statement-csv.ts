/**
 * CSV rendering of a statement for settlement teams (RFC 4180: CRLF line ends, fields with
 * a comma, quote or line break quoted, quotes doubled). Text cells that a spreadsheet would
 * read as a formula (=, +, -, @, tab, CR at the start) get a leading apostrophe; numeric
 * cells are written as plain integers. The CSV is a view: the signed form is the JSON.
 */
import type { BuiltStatement } from '@ies/verify';
import { formatInstant } from '@ies/units';

export const CSV_HEADER = ['statement_id', 'version', 'line', 'kind', 'reference', 'interval_start', 'interval_end', 'meter_id', 'payer', 'payee', 'counterparty', 'quantity_wh', 'rate_paise_per_kwh', 'amount_paise', 'note'] as const;

export function renderCsv(statement: BuiltStatement): string {
  const c = statement.content;
  const rows: string[] = [CSV_HEADER.join(',')];
  c.lines.forEach((l, i) => {
    rows.push(
      [
        csvCell(c.id),
        String(c.version),
        String(i + 1),
        l.kind,
        csvCell(l.reference),
        l.intervalStartMs === null ? '' : formatInstant(l.intervalStartMs),
        l.intervalEndMs === null ? '' : formatInstant(l.intervalEndMs),
        csvCell(l.meterId ?? ''),
        csvCell(l.payer),
        csvCell(l.payee),
        csvCell(l.counterparty),
        l.quantityWh === null ? '' : String(l.quantityWh),
        l.ratePaisePerKwh === null ? '' : String(l.ratePaisePerKwh),
        String(l.amountPaise),
        csvCell(l.note ?? ''),
      ].join(','),
    );
  });
  return `${rows.join('\r\n')}\r\n`;
}

/** One CSV text cell: formula-looking text defused, quoted when needed. */
export function csvCell(value: string): string {
  const safe = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(safe) ? `"${safe.replaceAll('"', '""')}"` : safe;
}
