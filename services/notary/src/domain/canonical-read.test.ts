import { test } from 'node:test';
import assert from 'node:assert/strict';
import { canonicalReadJson } from './canonical-read.js';

const read = { discomId: 'BRPL-DL', meterId: 'SM-0001', blockStart: Date.UTC(2026, 10, 19, 18, 30), channel: 'IMPORT' as const, wh: 412, validationStatus: 'VALID', source: 'HES' };

test('the canonical read is sorted-key JCS JSON with an ISO block start and integer Wh', () => {
  assert.equal(
    canonicalReadJson(read),
    '{"blockStart":"2026-11-19T18:30:00Z","channel":"IMPORT","discomId":"BRPL-DL","meterId":"SM-0001","source":"HES","v":1,"validationStatus":"VALID","wh":412}',
  );
});

test('member order of the input does not matter; non-ASCII ids are kept as UTF-8, escapes are JCS', () => {
  const shuffled = { wh: 412, source: 'HES', validationStatus: 'VALID', channel: 'IMPORT' as const, blockStart: read.blockStart, meterId: 'SM-0001', discomId: 'BRPL-DL' };
  assert.equal(canonicalReadJson(shuffled), canonicalReadJson(read));
  assert.match(canonicalReadJson({ ...read, meterId: 'did:web:discom.example:mtr:ü"\\' }), /"meterId":"did:web:discom.example:mtr:ü\\"\\\\"/);
});

test('non-integer energy and off-minute times are refused', () => {
  assert.throws(() => canonicalReadJson({ ...read, wh: 1.5 }), RangeError);
  assert.throws(() => canonicalReadJson({ ...read, blockStart: read.blockStart + 1 }), RangeError);
});
