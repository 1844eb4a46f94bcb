import { test } from 'node:test';
import assert from 'node:assert/strict';
import { confirmTradeIds, MAX_LOOKED_UP_COMMITMENTS } from './confirm-trade-ids.js';

const confirm = (transactionId: unknown, commitments: unknown) => ({ context: { transactionId }, message: { contract: { commitments } } });

test('each commitment id of a confirm, prefixed by its transaction id', () => {
  assert.deepEqual(confirmTradeIds(confirm('TX-1', [{ id: 'C1' }, { id: 'C2' }])), ['TX-1/C1', 'TX-1/C2']);
});

test('malformed parts name nothing (the domain refuses them with a problem)', () => {
  assert.deepEqual(confirmTradeIds(confirm(7, [{ id: 'C1' }])), []);
  assert.deepEqual(confirmTradeIds(confirm('TX-1', 'C1')), []);
  assert.deepEqual(confirmTradeIds(confirm('TX-1', [null, { id: 3 }, { id: 'C2' }])), ['TX-1/C2']);
  assert.deepEqual(confirmTradeIds(null), []);
});

test('at most the first 100 commitments are looked up', () => {
  const many = Array.from({ length: MAX_LOOKED_UP_COMMITMENTS + 5 }, (_, i) => ({ id: `C${i}` }));
  assert.equal(confirmTradeIds(confirm('TX', many)).length, MAX_LOOKED_UP_COMMITMENTS);
});
