// renderCsv is written for speed; the straightforward rendering it replaced is kept here as
// the reference it must match byte for byte.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { seal, type StatementContent, type StatementLine } from '@ies/verify';
import { formatInstant } from '@ies/units';
import { CSV_HEADER, csvCell, renderCsv, renderCsvParts } from './statement-csv.js';

function referenceCsv(content: StatementContent): string {
  const rows: string[] = [CSV_HEADER.join(',')];
  content.lines.forEach((l, i) => {
    rows.push([
      csvCell(content.id), String(content.version), String(i + 1), l.kind, csvCell(l.reference),
      l.intervalStartMs === null ? '' : formatInstant(l.intervalStartMs), l.intervalEndMs === null ? '' : formatInstant(l.intervalEndMs),
      csvCell(l.meterId ?? ''), csvCell(l.payer), csvCell(l.payee), csvCell(l.counterparty),
      l.quantityWh === null ? '' : String(l.quantityWh), l.ratePaisePerKwh === null ? '' : String(l.ratePaisePerKwh), String(l.amountPaise), csvCell(l.note ?? ''),
    ].join(','));
  });
  return `${rows.join('\r\n')}\r\n`;
}

const AWKWARD = ['', 'plain', '=SUM(A1)', '+1', '-1', '@x', '\tx', '\rx', 'a,b', 'say "hi"', 'two\nlines', "'quoted'", 'ü€😀', '=a,"b"'];

function content(n: number, id = 'BRPL-DL:2026-04-26:R0'): StatementContent {
  const lines: StatementLine[] = Array.from({ length: n }, (_, i) => {
    const text = AWKWARD[i % AWKWARD.length]!;
    return {
      kind: 'P2P_ENERGY', reference: i % 3 === 0 ? text : `tx-${i}/c`, intervalStartMs: i % 4 === 0 ? null : 1_777_000_000_000 + (i % 96) * 900_000, intervalEndMs: i % 4 === 0 ? null : 1_777_000_900_000 + (i % 96) * 900_000,
      meterId: i % 5 === 0 ? null : text, payer: `meter:${text}`, payee: 'discom:BRPL-DL', counterparty: `meter:${text}`,
      quantityWh: i % 6 === 0 ? null : i * 3, ratePaisePerKwh: i % 7 === 0 ? null : 400, amountPaise: i, note: i % 2 === 0 ? null : text,
    };
  });
  return {
    schema: 'ies.settlement.statement/v1', id, discomId: 'BRPL-DL', scope: { kind: 'DAY', day: '2026-04-26' }, version: 3, revises: null,
    policy: { policyId: 'p', version: 1, sha256: 'ab' }, complete: true, lines, netPositions: [], interDiscomPositions: [],
    totals: { receivablePaise: 0, payablePaise: 0, netPaise: 0 }, excluded: [], pending: [], evidence: [],
  };
}

test('renderCsv: byte for byte the straightforward rendering, awkward cells included', () => {
  for (const c of [content(0), content(1), content(500), content(40, '=odd,"id"')]) assert.equal(renderCsv(seal(c)), referenceCsv(c));
});

test('renderCsvParts: whole rows in parts of about a megabyte, joined the same CSV', () => {
  const c = content(30_000);
  const parts = renderCsvParts(seal(c));
  assert.ok(parts.length > 1, `${parts.length} part(s)`);
  for (const p of parts) assert.ok(p.endsWith('\r\n'), 'each part ends with a whole row');
  assert.equal(parts.join(''), referenceCsv(c));
});
