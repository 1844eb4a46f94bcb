import { test } from 'node:test';
import assert from 'node:assert/strict';
import { seal, type StatementContent } from '@ies/verify';
import { compareLines } from './statement-order.js';
import { diffStatements, nextRevision, sameFigures } from './statement-revisions.js';

const content = (over: Partial<StatementContent> = {}): StatementContent => ({
  schema: 'ies.settlement.statement/v1', id: 'BRPL-DL:2026-04-26:R0', discomId: 'BRPL-DL', scope: { kind: 'DAY', day: '2026-04-26' }, version: 0, revises: null,
  policy: { policyId: 'BRPL-DL.v1', version: 1, sha256: 'p' }, complete: true, lines: [], netPositions: [], interDiscomPositions: [],
  totals: { receivablePaise: 0, payablePaise: 0, netPaise: 0 }, excluded: [], pending: [], evidence: [], ...over,
});

test('a complete statement is revised as n+1 naming it; a draft is rebuilt in place', () => {
  assert.deepEqual(nextRevision(undefined), { version: 0, revises: null });
  const r0 = seal(content());
  assert.deepEqual(nextRevision(r0), { version: 1, revises: { id: r0.content.id, sha256: r0.sha256 } });
  const draft = seal(content({ complete: false, version: 1, revises: { id: 'x', sha256: 'y' } }));
  assert.deepEqual(nextRevision(draft), { version: 1, revises: { id: 'x', sha256: 'y' } });
});

test('figures ignore id, version, revises and evidence; the diff is per counterparty', () => {
  assert.equal(sameFigures(content(), content({ id: 'other', version: 3, evidence: [{ origin: 'o', size: 1, rootHash: 'r' }] })), true);
  const pos = (counterparty: string, netPaise: number) => ({ counterparty, receivablePaise: Math.max(netPaise, 0), payablePaise: Math.max(-netPaise, 0), netPaise });
  const before = content({ netPositions: [pos('meter:A', 100), pos('meter:B', 5)] });
  const after = content({ netPositions: [pos('meter:A', 90), pos('meter:B', 5), pos('meter:C', -7)] });
  assert.equal(sameFigures(before, after), false);
  assert.deepEqual(diffStatements(before, after), [{ counterparty: 'meter:A', netPaiseDelta: -10 }, { counterparty: 'meter:C', netPaiseDelta: -7 }]);
});

test('lines order by reference, interval, then kind rank, whatever the input order', () => {
  const line = (reference: string, intervalStartMs: number | null, kind: StatementContent['lines'][number]['kind']) => ({
    kind, reference, intervalStartMs, intervalEndMs: null, meterId: null, payer: 'a', payee: 'b', counterparty: 'a', quantityWh: null, ratePaisePerKwh: null, amountPaise: 1, note: null,
  });
  const sorted = [line('t2', 1, 'P2P_ENERGY'), line('t1', 2, 'WHEELING'), line('t1', 2, 'P2P_ENERGY'), line('t1', null, 'ADJUSTMENT')].sort(compareLines);
  assert.deepEqual(sorted.map((l) => [l.reference, l.intervalStartMs, l.kind]), [['t1', null, 'ADJUSTMENT'], ['t1', 2, 'P2P_ENERGY'], ['t1', 2, 'WHEELING'], ['t2', 1, 'P2P_ENERGY']]);
});
