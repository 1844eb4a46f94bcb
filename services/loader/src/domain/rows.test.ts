import { test } from 'node:test';
import assert from 'node:assert/strict';
import { rowOfDeadLetter, rowsOfBatch, type MeterBatchRecord } from './rows.js';

const BLOCK = Date.UTC(2026, 10, 20, 18, 30);
const batch = (reads: MeterBatchRecord['reads'], discomId = 'BRPL-DL'): MeterBatchRecord => ({ batchId: 'B-1', discomId, headEndId: 'HES-1', receivedAt: Date.UTC(2026, 10, 21), reads });

test('each read becomes a row carrying its batch, its index in the batch and the version (receivedAt)', () => {
  const { reads, deadLetters } = rowsOfBatch(batch([
    { meterId: 'M-1', blockStart: BLOCK, channel: 'IMPORT', wh: 412, validationStatus: 'VALID', source: 'HES' },
    { meterId: 'M-1', blockStart: BLOCK, channel: 'EXPORT', wh: 0, validationStatus: 'ESTIMATED', source: 'ESTIMATED' },
  ]), 'BRPL-DL');
  assert.deepEqual(deadLetters, []);
  assert.deepEqual(reads[1], { discomId: 'BRPL-DL', meterId: 'M-1', blockStartSec: BLOCK / 1000, channel: 'EXPORT', wh: 0, validationStatus: 'ESTIMATED', source: 'ESTIMATED', batchId: 'B-1', indexInBatch: 1, headEndId: 'HES-1', receivedAtMs: Date.UTC(2026, 10, 21) });
});

test('a read ClickHouse cannot hold faithfully becomes a dead letter; the others keep their index', () => {
  const { reads, deadLetters } = rowsOfBatch(batch([
    { meterId: 'M-1', blockStart: BLOCK + 60_000, channel: 'IMPORT', wh: 1, validationStatus: 'VALID', source: 'HES' },
    { meterId: 'M-2', blockStart: -900_000, channel: 'IMPORT', wh: 1, validationStatus: 'VALID', source: 'HES' },
    { meterId: 'M-3', blockStart: BLOCK, channel: 'IMPORT', wh: 1, validationStatus: 'VALID', source: 'HES' },
  ]), 'BRPL-DL');
  assert.deepEqual(reads.map((r) => [r.meterId, r.indexInBatch]), [['M-3', 2]]);
  assert.deepEqual(deadLetters.map((d) => [d.sourceId, d.stage, d.code, d.meterId]), [['B-1#0', 'loader', 'IES_ERR_VEE_BLOCK_MISALIGNED', 'M-1'], ['B-1#1', 'loader', 'IES_ERR_VEE_MALFORMED', 'M-2']]);
  assert.match(deadLetters[0]?.message ?? '', /2026-11-20T18:31:00.000Z is not on a 15-minute boundary/);
});

test('a batch naming another DISCOM than its topic is one dead letter, not rows in either tenant', () => {
  const { reads, deadLetters } = rowsOfBatch(batch([{ meterId: 'M-1', blockStart: BLOCK, channel: 'IMPORT', wh: 1, validationStatus: 'VALID', source: 'HES' }], 'TPDDL-DL'), 'BRPL-DL');
  assert.deepEqual(reads, []);
  assert.deepEqual(deadLetters.map((d) => [d.discomId, d.sourceId, d.code]), [['BRPL-DL', 'B-1', 'IES_ERR_TENANT_FORBIDDEN']]);
});

test('a dead-letter record keeps its context as sorted parallel arrays and is filed under the topic tenant', () => {
  const row = rowOfDeadLetter({ sourceId: 'B-2#3', discomId: 'OTHER', stage: 'gateway', code: 'IES_ERR_VEE_NEGATIVE', message: 'wh -5', rejectedAt: 5, payload: null, context: { meterId: 'M-9', batchId: 'B-2', index: '3' } }, 'BRPL-DL');
  assert.equal(row.discomId, 'BRPL-DL');
  assert.deepEqual([row.batchId, row.meterId, row.contextKeys, row.contextValues], ['B-2', 'M-9', ['batchId', 'index', 'meterId'], ['B-2', '3', 'M-9']]);
});
