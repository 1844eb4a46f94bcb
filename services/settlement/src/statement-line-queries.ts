import { sql, type ClickHouseClient } from '@ies/clickhouse';

/** A page of one statement content's lines (`statement_lines`, keyed by the content's sha256), narrowed by kind, meter and counterparty. */
export interface StatementLineFilter {
  readonly discomId: string;
  readonly statementId: string;
  readonly sha256: string;
  readonly kind?: string;
  readonly meterId?: string;
  readonly counterparty?: string;
  /** Lines to skip, in line order (0 = from line 1). */
  readonly offset: number;
  readonly limit: number;
}

const narrowed = (f: StatementLineFilter) => f.kind !== undefined || f.meterId !== undefined || f.counterparty !== undefined;

function where(f: StatementLineFilter): string[] {
  const w = [sql`discom_id = ${f.discomId}`, sql`statement_id = ${f.statementId}`, sql`sha256 = ${f.sha256}`];
  if (f.kind !== undefined) w.push(sql`kind = ${f.kind}`);
  if (f.meterId !== undefined) w.push(sql`meter_id = ${f.meterId}`);
  if (f.counterparty !== undefined) w.push(sql`counterparty = ${f.counterparty}`);
  return w;
}

/**
 * The page's rows. Lines are numbered 1..n per content, so an unfiltered page is a range of
 * the primary key (line_no after the statement's key): it reads one granule whatever the
 * statement's size. A filtered page skips `offset` matching lines. `LIMIT 1 BY line_no` folds
 * the copies a rewrite of the same content leaves before the table's merge (GROUP BY would
 * read every column of every matching row; FINAL is not 18.16-safe with this key).
 */
export function statementLinesQuery(f: StatementLineFilter): string {
  const w = where(f);
  if (!narrowed(f)) w.push(sql`line_no > ${f.offset}`, sql`line_no <= ${f.offset + f.limit}`);
  return `SELECT line_no, kind, reference, interval_start, interval_end, meter_id, payer, payee, counterparty, quantity_wh, rate_paise_per_kwh, amount_paise, note
FROM statement_lines
WHERE ${w.join(' AND ')}
ORDER BY line_no
LIMIT 1 BY line_no
LIMIT ${narrowed(f) ? `${Math.trunc(f.offset)}, ` : ''}${Math.trunc(f.limit)}`;
}

/**
 * How many distinct lines match the filter (the pager's total). Unfiltered, the highest line
 * number: lines are numbered 1..n, so it is n, copies or not, and reading one column's maximum
 * is a tenth of the cost of counting distinct numbers (0.05 s against 0.4–0.7 s for 1,000,000 lines
 * on the 2-core machine).
 */
export function statementLineCountQuery(f: Omit<StatementLineFilter, 'offset' | 'limit'>): string {
  const all = { ...f, offset: 0, limit: 0 };
  return `SELECT ${narrowed(all) ? 'uniqExact(line_no)' : 'max(line_no)'} AS n FROM statement_lines WHERE ${where(all).join(' AND ')}`;
}

export interface StatementLineRow {
  line_no: number; kind: string; reference: string; interval_start: string | null; interval_end: string | null; meter_id: string;
  payer: string; payee: string; counterparty: string; quantity_wh: string | null; rate_paise_per_kwh: string | null; amount_paise: string; note: string;
}

/** A DateTime('UTC') as ClickHouse writes it in JSON ("YYYY-MM-DD hh:mm:ss") → epoch ms. */
const utcMs = (t: string | null) => (t === null ? null : Date.parse(`${t.replace(' ', 'T')}Z`));
/** Int64 columns come as strings in JSON. */
const int = (v: string | null) => (v === null ? null : Number(v));

/** The page and the number of matching lines, read together. */
export async function readStatementLines(ch: ClickHouseClient, f: StatementLineFilter) {
  const [rows, count] = await Promise.all([
    ch.query({ query: statementLinesQuery(f), format: 'JSONEachRow' }).then((r) => r.json<StatementLineRow>()),
    ch.query({ query: statementLineCountQuery(f), format: 'JSONEachRow' }).then((r) => r.json<{ n: string }>()),
  ]);
  return {
    total: Number(count[0]?.n ?? 0),
    lines: rows.map((r) => ({
      lineNo: Number(r.line_no), kind: r.kind, reference: r.reference, intervalStartMs: utcMs(r.interval_start), intervalEndMs: utcMs(r.interval_end),
      meterId: r.meter_id === '' ? null : r.meter_id, payer: r.payer, payee: r.payee, counterparty: r.counterparty,
      quantityWh: int(r.quantity_wh), ratePaisePerKwh: int(r.rate_paise_per_kwh), amountPaise: Number(r.amount_paise), note: r.note === '' ? null : r.note,
    })),
  };
}
