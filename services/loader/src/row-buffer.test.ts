import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RowBuffer } from './row-buffer.js';

const read = { discomId: 'D', meterId: 'M', blockStartSec: 1_795_113_000, channel: 'IMPORT' as const, wh: 1, validationStatus: 'VALID', source: 'HES', batchId: 'B', indexInBatch: 0, headEndId: 'H', receivedAtMs: 1 };

test('a buffer hands over its rows and the next offset of each partition, then starts empty', () => {
  const buffer = new RowBuffer();
  assert.equal(buffer.isEmpty(), true);
  buffer.addReads([read, read]);
  buffer.consumedUpTo('t', 0, '5');
  buffer.consumedUpTo('t', 0, '7');
  buffer.consumedUpTo('t', 1, '2');
  assert.equal(buffer.rows, 2);
  const pending = buffer.take();
  assert.equal(pending.readCount, 2);
  assert.equal(pending.reads.length > 0, true);
  assert.deepEqual(pending.offsets, [{ topic: 't', partition: 0, offset: '7' }, { topic: 't', partition: 1, offset: '2' }]);
  assert.equal(buffer.isEmpty(), true);
  assert.equal(buffer.rows, 0);
});

test('a record that yields no row still makes the buffer due, so its offset gets committed', () => {
  const buffer = new RowBuffer();
  buffer.consumedUpTo('t', 0, '1');
  assert.equal(buffer.isEmpty(), false);
  assert.equal(buffer.take().readCount, 0);
});
