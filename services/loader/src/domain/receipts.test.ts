import { test } from 'node:test';
import assert from 'node:assert/strict';
import { rowOfReceipt, type ReceiptRecord } from './receipts.js';

const receipt: ReceiptRecord = { batchId: 'B-1', discomId: 'BRPL-DL', headEndId: 'HES-1', readCount: 1000, batchRoot: 'cm9vdA==', acceptedAt: '2026-11-21T04:00:00.123Z', logIndex: 41, checkpoint: 'note', inclusionProof: ['aA==', 'bA=='], jws: 'a.b.c' };

test('a receipt becomes one row keyed by its log index, with acceptedAt to the millisecond', () => {
  const { row, refused } = rowOfReceipt(receipt, 'BRPL-DL');
  assert.equal(refused, undefined);
  assert.deepEqual([row?.logIndex, row?.acceptedAtMs, row?.inclusionProof], [41, Date.UTC(2026, 10, 21, 4, 0, 0, 123), ['aA==', 'bA==']]);
});

test('a receipt on another tenant’s topic, or with a time that is not ISO UTC with milliseconds, is a dead letter', () => {
  assert.equal(rowOfReceipt(receipt, 'TPDDL-DL').refused?.code, 'IES_ERR_TENANT_FORBIDDEN');
  for (const acceptedAt of ['2026-11-21T04:00:00Z', '2026-11-21 04:00:00.123', 'yesterday', '2026-13-40T04:00:00.000Z']) {
    const { refused } = rowOfReceipt({ ...receipt, acceptedAt }, 'BRPL-DL');
    assert.equal(refused?.code, 'IES_ERR_VALIDATION', acceptedAt);
    assert.equal(refused?.sourceId, 'receipt:41');
  }
});
