import { test } from 'node:test';
import assert from 'node:assert/strict';
import { StatementTransitionError, VALID_STATEMENT_TRANSITIONS, refreshDraft, transitionStatement, type StatementRecord, type StatementStatus } from './statement-lifecycle.js';

const rec = (status: StatementStatus): StatementRecord => ({ statementId: 'BRPL-DL:2026-04-26:R0', sha256: 'ab', status });

test('DRAFT → COMPUTED → FINAL, with DISPUTED and SUPERSEDED', () => {
  let r = rec('DRAFT');
  for (const to of ['COMPUTED', 'DISPUTED', 'FINAL', 'SUPERSEDED'] as const) r = transitionStatement(r, to);
  assert.equal(r.status, 'SUPERSEDED');
  assert.deepEqual(VALID_STATEMENT_TRANSITIONS.SUPERSEDED, []);
  assert.equal(transitionStatement(rec('COMPUTED'), 'DISPUTED').status, 'DISPUTED');
  assert.equal(transitionStatement(rec('DISPUTED'), 'SUPERSEDED').status, 'SUPERSEDED');
});

test('forbidden transitions throw a typed error with the allowed ones', () => {
  const bad: [StatementStatus, StatementStatus][] = [['DRAFT', 'FINAL'], ['FINAL', 'COMPUTED'], ['SUPERSEDED', 'FINAL'], ['DRAFT', 'DISPUTED']];
  for (const [from, to] of bad) {
    assert.throws(() => transitionStatement(rec(from), to), (e: unknown) => e instanceof StatementTransitionError && e.code === 'IES_ERR_STATEMENT_TRANSITION' && e.status === 409);
  }
  assert.throws(() => transitionStatement(rec('FINAL'), 'COMPUTED'), /cannot go from FINAL to COMPUTED \(allowed: DISPUTED, SUPERSEDED\)/);
  assert.throws(() => refreshDraft(rec('COMPUTED'), { content: { id: 'BRPL-DL:2026-04-26:R0', complete: true } } as never), StatementTransitionError);
  assert.throws(() => refreshDraft(rec('DRAFT'), { content: { id: 'BRPL-DL:2026-04-26:R1', complete: true } } as never), /does not rebuild draft/);
});
