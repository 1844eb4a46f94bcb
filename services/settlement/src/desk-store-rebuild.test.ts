// The pure halves of the desk rebuild: statements from their history rows, disputes from
// their disputes.v1 records.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { disputesFromTopic, statementsFromHistory, type HistoryRow } from './desk-store-rebuild.js';

const D = 'BRPL-DL';
const jwsOf = (content: object) => `eyJhbGciOiJFZERTQSJ9.${Buffer.from(JSON.stringify(content)).toString('base64url')}.c2ln`;
const content = (id: string, version: number) => ({ id, discomId: D, scope: { kind: 'DAY', day: '2026-04-26' }, version, revises: null, complete: true, lines: [], totals: { receivablePaise: 0, payablePaise: 0, netPaise: 0 }, run: { name: id.split(':')[2], cutoffMs: 1, missingData: 'ZERO_PENDING' } });
const row = (id: string, version: number, status: string, at: number, sha256 = `sha-${id}`): HistoryRow => ({
  statement_id: id, day: '2026-04-26', sha256, status, at_ms: String(at), jws: jwsOf(content(id, version)), change_json: JSON.stringify({ status, sha256, at, by: 'x', reason: null }),
});

test('statements from history rows: the last entry gives the status, a retried entry is kept once, the highest version is the latest', () => {
  const i = `${D}:2026-04-26:INITIAL`;
  const r = `${D}:2026-04-26:R1`;
  const out = statementsFromHistory(D, [row(r, 1, 'COMPUTED', 30), row(i, 0, 'COMPUTED', 10), row(i, 0, 'DISPUTED', 20), row(i, 0, 'DISPUTED', 21), row(i, 0, 'SUPERSEDED', 30)]);
  assert.deepEqual(out.map((s) => [s.stored.statementId, s.stored.status, s.latest, s.stored.updatedAt, s.history.map((h) => h.status)]), [
    [i, 'SUPERSEDED', false, 10, ['COMPUTED', 'DISPUTED', 'SUPERSEDED']],
    [r, 'COMPUTED', true, 30, ['COMPUTED']],
  ]);
  assert.deepEqual(out[1]!.stored.run, { name: 'R1', cutoffMs: 1, missingData: 'ZERO_PENDING' });
});

test('disputes from disputes.v1: a chain from RAISED, the first record of a status kept, others\' tenants and broken chains left out', () => {
  const rec = (status: string, extra: object = {}) => ({ disputeId: 'DSP-1', discomId: D, status, stateJson: JSON.stringify({ record: { disputeId: 'DSP-1', discomId: D, status, ...extra }, change: { status, at: 1, by: 'desk' } }) });
  const out = disputesFromTopic(D, [rec('RAISED'), rec('UNDER_REVIEW'), rec('UNDER_REVIEW', { again: true }), rec('UPHELD'), rec('APPLIED', { appliedIn: { statementId: 'x', version: 1 } }), { ...rec('RAISED'), discomId: 'OTHER-DL' }, { disputeId: 'DSP-2', discomId: D, status: 'UPHELD', stateJson: rec('UPHELD').stateJson.replace(/DSP-1/g, 'DSP-2') }]);
  assert.equal(out.length, 1);
  assert.deepEqual(out[0]!.history.map((h) => h.status), ['RAISED', 'UNDER_REVIEW', 'UPHELD', 'APPLIED']);
  assert.deepEqual([out[0]!.record.status, out[0]!.record.appliedIn, (out[0]!.record as unknown as { again?: boolean }).again], ['APPLIED', { statementId: 'x', version: 1 }, undefined]);
});
