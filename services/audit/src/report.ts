// What `audit` returns and how `ies audit` prints it: one row per invariant with its counts,
// then every failure under the invariant it broke, each naming its record.

export interface InvariantFailure {
  readonly record: string;
  readonly problem: string;
}

export interface InvariantResult {
  id: string;
  title: string;
  /** How many records the invariant looked at (so "0 failures of 0 checked" is visible). */
  checked: number;
  failures: InvariantFailure[];
}

export interface AuditReport {
  discomId: string;
  day: string;
  ok: boolean;
  invariants: InvariantResult[];
}

/** A report is ok exactly when no invariant has a failure. */
export function reportOf(discomId: string, day: string, invariants: InvariantResult[]): AuditReport {
  return { discomId, day, ok: invariants.every((i) => i.failures.length === 0), invariants };
}

const HEADER = ['discom', 'day', 'invariant', 'checked', 'failures', 'result'] as const;

/** A plain-text table (fixed-width columns) of every invariant of every report, failures listed below it. */
export function renderAuditTable(reports: readonly AuditReport[]): string {
  const rows: string[][] = reports.flatMap((r) =>
    r.invariants.map((i) => [r.discomId, r.day, `${i.id} ${i.title}`, String(i.checked), String(i.failures.length), i.failures.length === 0 ? 'HOLDS' : 'FAILS']),
  );
  const widths = HEADER.map((h, c) => Math.max(h.length, ...rows.map((row) => row[c]!.length)));
  const line = (cells: readonly string[]) => cells.map((cell, c) => (c === 3 || c === 4 ? cell.padStart(widths[c]!) : cell.padEnd(widths[c]!))).join('  ').trimEnd();
  const out = [line(HEADER), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)];
  const failed = reports.flatMap((r) => r.invariants.flatMap((i) => i.failures.map((f) => `${r.discomId} ${r.day} ${i.id}: ${f.record}: ${f.problem}`)));
  if (failed.length > 0) out.push('', 'failures:', ...failed.map((f) => `  ${f}`));
  const held = reports.filter((r) => r.ok).length;
  out.push('', `${held} of ${reports.length} audit(s) hold every invariant`);
  return `${out.join('\n')}\n`;
}
