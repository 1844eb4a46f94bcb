import { test } from 'node:test';
import assert from 'node:assert/strict';
import { canonicalJson } from '@ies/crypto';
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

test('the hand-written encoder equals the generic RFC 8785 encoder, escapes and lone surrogates included', () => {
  const odd = ['SM-1', 'é€😀', 'a"b', 'back\\slash', 'tab\there', '\u0000nul', 'line\u2028sep', 'lone\ud800', 'x\udfffy'];
  for (const [i, meterId] of odd.entries()) {
    for (const blockStart of [read.blockStart, read.blockStart + 900_000 * i]) {
      const r = { ...read, meterId, discomId: odd[(i + 3) % odd.length]!, blockStart, wh: i * 1000 - 3 };
      const generic = canonicalJson({ blockStart: new Date(blockStart).toISOString().replace('.000Z', 'Z'), channel: r.channel, discomId: r.discomId, meterId, source: r.source, v: 1, validationStatus: r.validationStatus, wh: r.wh });
      assert.equal(canonicalReadJson(r), generic, meterId);
    }
  }
});
