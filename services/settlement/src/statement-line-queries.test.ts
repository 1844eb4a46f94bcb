import { test } from 'node:test';
import assert from 'node:assert/strict';
import { statementLineCountQuery, statementLinesQuery } from './statement-line-queries.js';

const f = { discomId: 'BRPL-DL', statementId: 'BRPL-DL:2026-03-10:R0', sha256: 'ab', offset: 200, limit: 100 };

test('an unfiltered page is a range of line numbers (the primary key), not an offset over the table', () => {
  const q = statementLinesQuery(f);
  assert.match(q, /line_no > 200 AND line_no <= 300/);
  assert.match(q, /LIMIT 1 BY line_no\nLIMIT 100$/);
  assert.match(statementLineCountQuery(f), /^SELECT max\(line_no\) AS n /);
});

test('a filtered page skips matching lines; filters are quoted values, and the total counts distinct lines', () => {
  const q = statementLinesQuery({ ...f, kind: 'WHEELING', meterId: "M'1", counterparty: 'X-DL' });
  assert.doesNotMatch(q, /line_no >/);
  assert.match(q, /kind = 'WHEELING' AND meter_id = 'M\\'1' AND counterparty = 'X-DL'/);
  assert.match(q, /LIMIT 200, 100$/);
  assert.match(statementLineCountQuery({ ...f, kind: 'WHEELING' }), /^SELECT uniqExact\(line_no\) AS n .* AND kind = 'WHEELING'$/);
});
