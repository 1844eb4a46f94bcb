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
  return renderCsvParts(statement).join('');
}

const PART_CHARS = 1 << 20;

/**
 * The CSV in parts of about a megabyte (whole rows), for writing out without one string of
 * the whole statement; their concatenation is renderCsv. Instants repeat across lines (a
 * day has 96 blocks), so each is formatted once.
 */
export function renderCsvParts(statement: BuiltStatement): string[] {
  const c = statement.content;
  const parts: string[] = [];
  const prefix = `${csvCell(c.id)},${c.version},`;
  const instants = new Map<number, string>();
  const instant = (ms: number | null) => {
    if (ms === null) return '';
    let s = instants.get(ms);
    if (s === undefined) instants.set(ms, (s = formatInstant(ms)));
    return s;
  };
  // Rows are gathered as separate strings and joined once per part (cheaper than growing one string).
  let rows: string[] = [`${CSV_HEADER.join(',')}\r\n`];
  let chars = 0;
  const lines = c.lines;
  for (let i = 0; i < lines.length; i++) {
    const l = lines[i]!;
    const row = `${prefix}${i + 1},${l.kind},${csvCell(l.reference)},${instant(l.intervalStartMs)},${instant(l.intervalEndMs)},${csvCell(l.meterId ?? '')},${csvCell(l.payer)},${csvCell(l.payee)},${csvCell(l.counterparty)},`
      + `${l.quantityWh === null ? '' : l.quantityWh},${l.ratePaisePerKwh === null ? '' : l.ratePaisePerKwh},${l.amountPaise},${csvCell(l.note ?? '')}\r\n`;
    rows.push(row);
    chars += row.length;
    if (chars >= PART_CHARS) {
      parts.push(rows.join(''));
      rows = [];
      chars = 0;
    }
  }
  const text = rows.join('');
  if (text.length > 0) parts.push(text);
  return parts;
}

/** Text that needs neither defusing nor quoting (the common case, tested first). */
const PLAIN = /^(?![=+\-@\t\r])[^",\r\n]*$/;

/** One CSV text cell: formula-looking text defused, quoted when needed. */
export function csvCell(value: string): string {
  if (PLAIN.test(value)) return value;
  const safe = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(safe) ? `"${safe.replaceAll('"', '""')}"` : safe;
}
