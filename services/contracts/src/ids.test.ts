import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ID_MAX_LENGTH, isSafeId } from './ids.js';

test('the ids of the IES and DEG examples and of the demo are safe ids', () => {
  for (const id of ['HES-1', 'M-1', 'AGG-1', 'PEAK-2026', 'EV-1', 'did:web:tpddl.delhi.gov.in:meters:001', 'TEST_METER_SELLER_001', 'sellerapp.example.com',
    '1268c204-675b-4adb-9321-b08231b147b2', 'commitment-p2p-001', 'evt-2026-04-01-001', 'a', 'x'.repeat(ID_MAX_LENGTH)]) {
    assert.ok(isSafeId(id), id);
  }
});

test('path separators, "..", whitespace, control and bidi characters, and over-long ids are not', () => {
  for (const id of ['', 'a/b', '../etc', 'a..b', '.hidden', '-x', ':x', 'a b', 'a\tb', 'a\nb', 'a\u0000', 'EV\u202eGNP', 'EV\u200b1', 'é', 'x'.repeat(ID_MAX_LENGTH + 1), 'a%2Fb', 'a\\b', 42, null]) {
    assert.ok(!isSafeId(id), JSON.stringify(id));
  }
});
