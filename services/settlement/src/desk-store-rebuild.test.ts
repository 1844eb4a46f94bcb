// The pure halves of the desk rebuild: a statement from its history rows, each scope's latest
// from the statement index, disputes from their disputes.v1 records.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { disputesFromTopic, latestOfScopes, statementFromHistory, type HistoryRow, type IndexRow } from './desk-store-rebuild.js';

const D = 'BRPL-DL';
const jwsOf = (content: object) => `eyJhbGciOiJFZERTQSJ9.${Buffer.from(JSON.stringify(content)).toString('base64url')}.c2ln`;
const content = (id: string, version: number) => ({ id, discomId: D, scope: { kind: 'DAY', day: '2026-04-26' }, version, revises: null, complete: true, lines: [], totals: { receivablePaise: 0, payablePaise: 0, netPaise: 0 }, run: { name: id.split(':')[2], cutoffMs: 1, missingData: 'ZERO_PENDING' } });
const row = (id: string, version: number, status: string, at: number, sha256 = `sha-${id}`): HistoryRow => ({
  statement_id: id, day: '2026-04-26', sha256, status, at_ms: String(at), jws: jwsOf(content(id, version)), change_json: JSON.stringify({ status, sha256, at, by: 'x', reason: null }),
});

test('a statement from its history rows: the last entry gives the status, a retried entry is kept once, the JWS comes from the row that first recorded the content', () => {
  const i = `${D}:2026-04-26:INITIAL`;
  const noJws = (r: HistoryRow): HistoryRow => ({ ...r, jws: '' });
  const s = statementFromHistory(D, [noJws(row(i, 0, 'SUPERSEDED', 30)), row(i, 0, 'COMPUTED', 10), noJws(row(i, 0, 'DISPUTED', 20)), noJws(row(i, 0, 'DISPUTED', 21))], false)!;
  assert.deepEqual([s.stored.statementId, s.stored.status, s.latest, s.stored.updatedAt, s.history.map((h) => h.status)], [i, 'SUPERSEDED', false, 10, ['COMPUTED', 'DISPUTED', 'SUPERSEDED']]);
  assert.equal(s.stored.jws, row(i, 0, 'COMPUTED', 10).jws);
  assert.deepEqual(s.stored.run, { name: 'INITIAL', cutoffMs: 1, missingData: 'ZERO_PENDING' });
  // Rows written before the JWS was kept once (every row carries it) read the same.
  assert.deepEqual(statementFromHistory(D, [row(i, 0, 'COMPUTED', 10), row(i, 0, 'DISPUTED', 20), row(i, 0, 'SUPERSEDED', 30)], false), s);
  // A DRAFT rebuilt in place: the document is the last content's.
  const d = statementFromHistory(D, [row(i, 0, 'DRAFT', 10, 'sha-a'), { ...row(i, 0, 'COMPUTED', 20, 'sha-b'), jws: 'eyJhbGciOiJFZERTQSJ9.' + Buffer.from(JSON.stringify({ ...content(i, 0), complete: true, lines: [] })).toString('base64url') + '.c2ln' }], true)!;
  assert.deepEqual([d.stored.sha256, d.stored.status, d.stored.updatedAt, d.latest], ['sha-b', 'COMPUTED', 20, true]);
  // No row holds the last content's JWS: nothing to rebuild from.
  assert.equal(statementFromHistory(D, [row(i, 0, 'COMPUTED', 10, 'sha-a'), noJws(row(i, 0, 'COMPUTED', 20, 'sha-b'))], false), undefined);
});

test('the latest statement of each scope is the highest version', () => {
  const index: IndexRow[] = [
    { statement_id: 'A:INITIAL', scope_kind: 'DAY', day: '2026-04-26', event_id: '', version: '0' },
    { statement_id: 'A:R1', scope_kind: 'DAY', day: '2026-04-26', event_id: '', version: '1' },
    { statement_id: 'B:INITIAL', scope_kind: 'DAY', day: '2026-04-27', event_id: '', version: 0 },
    { statement_id: 'E:R0', scope_kind: 'DR_EVENT', day: '', event_id: 'EV-1', version: '0' },
    { statement_id: 'E:R1', scope_kind: 'DR_EVENT', day: '', event_id: 'EV-1', version: '1' },
  ];
  assert.deepEqual([...latestOfScopes(index)].sort(), ['A:R1', 'B:INITIAL', 'E:R1']);
});

test('disputes from disputes.v1: a chain from RAISED, the first record of a status kept, others\' tenants and broken chains left out', () => {
  const rec = (status: string, extra: object = {}) => ({ disputeId: 'DSP-1', discomId: D, status, stateJson: JSON.stringify({ record: { disputeId: 'DSP-1', discomId: D, status, ...extra }, change: { status, at: 1, by: 'desk' } }) });
  const out = disputesFromTopic(D, [rec('RAISED'), rec('UNDER_REVIEW'), rec('UNDER_REVIEW', { again: true }), rec('UPHELD'), rec('APPLIED', { appliedIn: { statementId: 'x', version: 1 } }), { ...rec('RAISED'), discomId: 'OTHER-DL' }, { disputeId: 'DSP-2', discomId: D, status: 'UPHELD', stateJson: rec('UPHELD').stateJson.replace(/DSP-1/g, 'DSP-2') }]);
  assert.equal(out.length, 1);
  assert.deepEqual(out[0]!.history.map((h) => h.status), ['RAISED', 'UNDER_REVIEW', 'UPHELD', 'APPLIED']);
  assert.deepEqual([out[0]!.record.status, out[0]!.record.appliedIn, (out[0]!.record as unknown as { again?: boolean }).again], ['APPLIED', { statementId: 'x', version: 1 }, undefined]);
});
