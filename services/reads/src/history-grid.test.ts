// Which history requests read_days answers (readDaysDecoding), and which go to `reads`.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readDaysDecoding, type HistoryGridSpec } from './history-grid.js';
import { READ_DAY_STATUS_CODES } from './queries.js';

const DAY = 20_514; // an IST day index: 00:00 IST is (DAY × 86,400 − 19,800) s UTC
const fromSec = DAY * 86_400 - 19_800;
const spec: HistoryGridSpec = {
  discomId: 'D', channel: 'IMPORT', usable: ['VALID', 'ESTIMATED', 'MANUAL'], maxWh: 2 ** 36, fromSec, toSec: fromSec + 2 * 86_400,
  dates: ['2026-03-02', '2026-03-03'], meterIds: ['M-1'], metersPerQuery: 10, concurrency: 1,
};

test('whole IST days, known usable statuses and maxWh within 2^36: read_days answers, with their codes', () => {
  const codes = READ_DAY_STATUS_CODES;
  assert.deepEqual(readDaysDecoding(spec), { firstDay: DAY, usableCodes: (1 << codes.VALID!) | (1 << codes.ESTIMATED!) | (1 << codes.MANUAL!), maxWh: 2 ** 36 });
  assert.equal(readDaysDecoding({ ...spec, usable: ['SUSPECT'] })?.usableCodes, 1 << codes.SUSPECT!);
});

test('anything else goes to reads', () => {
  assert.equal(readDaysDecoding({ ...spec, usable: ['VALID', 'LEGACY-OK'] }), null, 'a status with no cell code');
  assert.equal(readDaysDecoding({ ...spec, maxWh: 2 ** 36 + 1 }), null, 'values above what a cell carries');
  assert.equal(readDaysDecoding({ ...spec, fromSec: fromSec + 900, toSec: fromSec + 900 + 2 * 86_400 }), null, 'not starting at 00:00 IST');
  assert.equal(readDaysDecoding({ ...spec, toSec: fromSec + 86_400 }), null, 'a range that is not the dates asked for');
});
