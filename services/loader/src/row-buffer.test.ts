import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RowBuffer } from './row-buffer.js';
import { READ_COLUMNS, writeReadRowBinary } from './row-encoding.js';

const read = { discomId: 'D', meterId: 'M', blockStartSec: 1_795_113_000, channel: 'IMPORT' as const, wh: 1, validationStatus: 'VALID', source: 'HES', batchId: 'B', indexInBatch: 0, headEndId: 'H', receivedAtMs: 1 };

test('a buffer hands over its rows per table and the next offset of each partition, then starts empty', () => {
  const buffer = new RowBuffer();
  assert.equal(buffer.isEmpty(), true);
  const w = buffer.writerFor('reads', READ_COLUMNS);
  writeReadRowBinary(w, read);
  writeReadRowBinary(w, read);
  buffer.added('reads', 2);
  buffer.addDeadLetters([{ discomId: 'D', sourceId: 's', stage: 'loader', code: 'C', message: 'm', rejectedAtMs: 0, batchId: '', meterId: '', contextKeys: [], contextValues: [], payload: null }]);
  buffer.consumedUpTo('t', 0, '5');
  buffer.consumedUpTo('t', 0, '7');
  buffer.consumedUpTo('t', 1, '2');
  assert.equal(buffer.rows, 3);
  const pending = buffer.take();
  assert.deepEqual(pending.tables.map((t) => [t.table, t.rows, t.chunks.length > 0]), [['reads', 2, true], ['dead_letters', 1, true]]);
  assert.deepEqual(pending.offsets, [{ topic: 't', partition: 0, offset: '7' }, { topic: 't', partition: 1, offset: '2' }]);
  assert.equal(buffer.isEmpty(), true);
  assert.equal(buffer.rows, 0);
});

test('a record that yields no row still makes the buffer due, so its offset gets committed', () => {
  const buffer = new RowBuffer();
  buffer.consumedUpTo('t', 0, '1');
  assert.equal(buffer.isEmpty(), false);
  assert.deepEqual(buffer.take().tables, []);
});
