import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseAckLedger } from './ledger.js';
import { renderAuditTable, reportOf } from './report.js';

test('the ack ledger is JSONL; a bad line is an error naming its line', () => {
  const sha = 'c'.repeat(64);
  const text = `{"kind":"batch","discomId":"D","batchId":"HE:1","bodySha256":"${sha}","at":5}\n\n{"kind":"dr-event","discomId":"D","eventId":"E1","at":6}\n{"kind":"p2p-trade","discomId":"D","tradeId":"t/c","at":7}\n`;
  assert.deepEqual(parseAckLedger(text).map((e) => e.kind), ['batch', 'dr-event', 'p2p-trade']);
  assert.throws(() => parseAckLedger('{"kind":"batch","discomId":"D","batchId":"x","bodySha256":"XY","at":1}', 'acks.jsonl'), /acks\.jsonl line 1: a batch entry has batchId and a lower-case hex bodySha256/);
  assert.throws(() => parseAckLedger('\n{nope', 'acks.jsonl'), /acks\.jsonl line 2: not JSON/);
});

test('the table has a row per invariant with counts, and lists each failure with its record', () => {
  const good = reportOf('A-DL', '2026-11-21', [{ id: 'I1', title: 'batches', checked: 12, failures: [] }]);
  const bad = reportOf('B-DL', '2026-11-21', [{ id: 'I3', title: 'log', checked: 3, failures: [{ record: 'batch HE:1', problem: 'has 2 log entries' }] }]);
  assert.equal(good.ok, true);
  assert.equal(bad.ok, false);
  const lines = renderAuditTable([good, bad]).split('\n');
  assert.match(lines[2]!, /^A-DL\s+2026-11-21\s+I1 batches\s+12\s+0\s+HOLDS$/);
  assert.match(lines[3]!, /^B-DL\s+2026-11-21\s+I3 log\s+3\s+1\s+FAILS$/);
  assert.ok(lines.includes('  B-DL 2026-11-21 I3: batch HE:1: has 2 log entries'));
  assert.ok(lines.includes('1 of 2 audit(s) hold every invariant'));
});
