import { test } from 'node:test';
import assert from 'node:assert/strict';
import { IesError } from '@ies/errors';
import { CSV_HEADER, normaliseCompactCsv } from './normalise-csv.js';
import type { IngestContext, MeterInfo } from './types.js';

const METERS: Record<string, MeterInfo> = {
  'M-1': { meterId: 'M-1', discomId: 'BRPL-DL', sanctionedLoadW: 5000, derCapacityW: 3000 },
  'M-2': { meterId: 'M-2', discomId: 'BRPL-DL', sanctionedLoadW: 4000 },
};

const ctx: IngestContext = {
  discomId: 'BRPL-DL',
  meters: (id) => METERS[id],
  policy: { nowMs: Date.parse('2026-12-01T00:00:00Z'), halfHourProfiles: 'REJECT', plausibilityMargin: 1.5 },
};

const utc = (iso: string) => Date.parse(iso);

test('happy path: each row gives IMPORT then EXPORT, Wh as sent, status kept, source HES', () => {
  const csv = `${CSV_HEADER}\nM-1,2026-11-20T00:00:00+05:30,412,0,VALID\nM-2,2026-11-19T18:45:00Z,380,17,ESTIMATED\n`;
  const r = normaliseCompactCsv(csv, ctx);
  assert.deepEqual(r, {
    reads: [
      { meterId: 'M-1', blockStart: utc('2026-11-19T18:30:00Z'), channel: 'IMPORT', wh: 412, validationStatus: 'VALID', source: 'HES' },
      { meterId: 'M-1', blockStart: utc('2026-11-19T18:30:00Z'), channel: 'EXPORT', wh: 0, validationStatus: 'VALID', source: 'HES' },
      { meterId: 'M-2', blockStart: utc('2026-11-19T18:45:00Z'), channel: 'IMPORT', wh: 380, validationStatus: 'ESTIMATED', source: 'HES' },
      { meterId: 'M-2', blockStart: utc('2026-11-19T18:45:00Z'), channel: 'EXPORT', wh: 17, validationStatus: 'ESTIMATED', source: 'HES' },
    ],
    rejected: [],
    ignoredProfiles: {},
  });
});

test('CRLF line ends, no trailing newline, and a UTF-8 byte-order mark are accepted', () => {
  const lf = `${CSV_HEADER}\nM-1,2026-11-20T00:00:00+05:30,412,0,VALID\nM-1,2026-11-20T00:15:00+05:30,400,0,VALID`;
  const crlf = `\uFEFF${lf.replaceAll('\n', '\r\n')}\r\n`;
  assert.deepEqual(normaliseCompactCsv(crlf, ctx), normaliseCompactCsv(lf, ctx));
  assert.equal(normaliseCompactCsv(lf, ctx).reads.length, 4);
  assert.deepEqual(normaliseCompactCsv(`${CSV_HEADER}\r\n`, ctx), { reads: [], rejected: [], ignoredProfiles: {} });
});

test('a header that is not exactly the contract refuses the whole file', () => {
  for (const header of ['', 'meter_id,block_start,import_wh,export_wh', 'meter_id,block_start,export_wh,import_wh,status', 'METER_ID,block_start,import_wh,export_wh,status', `${CSV_HEADER},extra`, ` ${CSV_HEADER}`]) {
    assert.throws(() => normaliseCompactCsv(`${header}\nM-1,2026-11-20T00:00:00+05:30,412,0,VALID\n`, ctx), (err: unknown) => {
      assert.ok(err instanceof IesError);
      assert.equal(err.code, 'IES_ERR_CSV_HEADER');
      assert.equal(err.status, 422);
      assert.equal(err.message, `CSV header ${JSON.stringify(header)} is not exactly "${CSV_HEADER}"`);
      return true;
    }, header);
  }
});

test('malformed rows are rejected read by read; good rows in the same file are accepted', () => {
  const csv = [
    CSV_HEADER,
    'M-1,2026-11-20T00:00:00+05:30,412,0,VALID', // line 2: ok (reads 0, 1)
    'M-1,2026-11-20T00:15:00+05:30,412,0', // line 3: 4 fields (read 2)
    'M-1,2026-11-20T00:30:00+05:30,4.5,7,VALID', // line 4: import not an integer (3), export ok (4)
    'M-1,2026-11-20 00:45:00,1,2,VALID', // line 5: no offset (5, 6)
    'M-1,2026-11-20T01:00:00+05:30,1,2,GOOD', // line 6: bad status (7, 8)
    ',2026-11-20T01:15:00+05:30,1,,VALID', // line 7: empty meter id (9)
    'M-1,2026-11-20T01:30:00+05:30,,,VALID', // line 8: no channel (10)
    '', // line 9: blank line inside the file (11)
    'M-1,2026-11-20T01:45:00+05:30,99999999999999999,0,VALID', // line 10: beyond safe integers (12), export ok (13)
  ].join('\n');
  const r = normaliseCompactCsv(csv, ctx);
  assert.deepEqual(r.reads.map((x) => [x.blockStart, x.channel, x.wh]), [
    [utc('2026-11-19T18:30:00Z'), 'IMPORT', 412], [utc('2026-11-19T18:30:00Z'), 'EXPORT', 0],
    [utc('2026-11-19T19:00:00Z'), 'EXPORT', 7],
    [utc('2026-11-19T20:15:00Z'), 'EXPORT', 0],
  ]);
  assert.deepEqual(r.rejected.map((x) => [x.index, x.code, x.path, x.channel, x.message]), [
    [2, 'IES_ERR_VEE_MALFORMED', 'line 3', null, `line 3 has 4 fields; expected 5 (${CSV_HEADER})`],
    [3, 'IES_ERR_VEE_MALFORMED', 'line 4, import_wh', 'IMPORT', 'line 4: import_wh "4.5" is not an integer number of Wh'],
    [5, 'IES_ERR_VEE_MALFORMED', 'line 5, block_start', 'IMPORT', 'line 5: block_start "2026-11-20 00:45:00" is not an RFC 3339 date-time with an explicit offset (Z or ±hh:mm)'],
    [6, 'IES_ERR_VEE_MALFORMED', 'line 5, block_start', 'EXPORT', 'line 5: block_start "2026-11-20 00:45:00" is not an RFC 3339 date-time with an explicit offset (Z or ±hh:mm)'],
    [7, 'IES_ERR_VEE_MALFORMED', 'line 6, status', 'IMPORT', 'line 6: status "GOOD" is not one of VALID, ESTIMATED, MANUAL, SUSPECT, REJECTED'],
    [8, 'IES_ERR_VEE_MALFORMED', 'line 6, status', 'EXPORT', 'line 6: status "GOOD" is not one of VALID, ESTIMATED, MANUAL, SUSPECT, REJECTED'],
    [9, 'IES_ERR_VEE_MALFORMED', 'line 7, meter_id', 'IMPORT', 'line 7: meter_id is empty'],
    [10, 'IES_ERR_VEE_MALFORMED', 'line 8', null, 'line 8 has neither import_wh nor export_wh'],
    [11, 'IES_ERR_VEE_MALFORMED', 'line 9', null, `line 9 has 1 fields; expected 5 (${CSV_HEADER})`],
    [12, 'IES_ERR_VEE_MALFORMED', 'line 10, import_wh', 'IMPORT', 'line 10: import_wh 99999999999999999 is beyond the safe integer range'],
  ]);
  assert.equal(r.rejected.find((x) => x.index === 5)?.blockStart, null);
  assert.equal(r.rejected.find((x) => x.index === 9)?.meterId, null);
});

test('an empty export field means the row has no EXPORT read', () => {
  const r = normaliseCompactCsv(`${CSV_HEADER}\nM-1,2026-11-20T00:00:00+05:30,412,,VALID\nM-1,2026-11-20T00:15:00+05:30,,9,MANUAL\n`, ctx);
  assert.deepEqual(r.reads.map((x) => [x.channel, x.wh, x.validationStatus]), [['IMPORT', 412, 'VALID'], ['EXPORT', 9, 'MANUAL']]);
  assert.deepEqual(r.rejected, []);
});

test('the VEE rules apply to CSV reads too', () => {
  const csv = [
    CSV_HEADER,
    'M-1,2026-11-20T00:07:00+05:30,1,0,VALID', // misaligned (0, 1)
    'M-1,2026-11-20T00:15:00+05:30,-1,1126,VALID', // negative (2), export above 1125 Wh (3)
    'M-9,2026-11-20T00:30:00+05:30,1,,VALID', // unknown meter (4)
    'M-1,2026-11-20T00:15:00+05:30,1,5,VALID', // import fine (5), export duplicate of nothing accepted yet → accepted (6)
    'M-1,2026-11-20T00:15:00+05:30,2,,VALID', // duplicate import (7)
    'M-2,2026-12-01T00:00:00Z,1,,VALID', // ends after the clock (8)
  ].join('\r\n');
  const r = normaliseCompactCsv(csv, ctx);
  assert.deepEqual(r.rejected.map((x) => [x.index, x.code]), [
    [0, 'IES_ERR_VEE_BLOCK_MISALIGNED'], [1, 'IES_ERR_VEE_BLOCK_MISALIGNED'],
    [2, 'IES_ERR_VEE_NEGATIVE'], [3, 'IES_ERR_VEE_IMPLAUSIBLE'],
    [4, 'IES_ERR_VEE_UNKNOWN_METER'],
    [7, 'IES_ERR_VEE_DUPLICATE'],
    [8, 'IES_ERR_VEE_FUTURE_BLOCK'],
  ]);
  assert.equal(r.rejected[0]?.message, 'block start 2026-11-20T00:07:00+05:30 is not on a 15-minute boundary');
  assert.equal(r.rejected[2]?.message, 'IMPORT energy -1 Wh (import_wh -1) in block 2026-11-20T00:15:00+05:30 is negative');
  assert.equal(r.rejected[3]?.message, 'EXPORT energy 1126 Wh in block 2026-11-20T00:15:00+05:30 exceeds the plausible 1125 Wh = DER capacity 3000 W × 0.25 h × margin 1.5');
  assert.deepEqual(r.reads.map((x) => [x.channel, x.wh]), [['IMPORT', 1], ['EXPORT', 5]]);
});

test('reads before 1970 are rejected per read (the reads tables cannot hold them); beyond 2106-02-07 is in the future', () => {
  const csv = [
    CSV_HEADER,
    'M-1,1969-12-31T23:45:00Z,1,,VALID', // before the epoch (0)
    'M-1,1900-01-01T05:30:00+05:30,1,,VALID', // before the epoch (1)
    'M-1,1970-01-01T00:00:00Z,1,,VALID', // the first storable block (2)
    'M-1,2106-02-07T06:30:00Z,1,,VALID', // after ClickHouse DateTime's end: not-in-future refuses it (3)
    'M-1,9999-12-31T23:45:00Z,1,,VALID', // (4)
  ].join('\n');
  const r = normaliseCompactCsv(csv, ctx);
  assert.deepEqual(r.rejected.map((x) => [x.index, x.code]), [[0, 'IES_ERR_VEE_BEFORE_EPOCH'], [1, 'IES_ERR_VEE_BEFORE_EPOCH'], [3, 'IES_ERR_VEE_FUTURE_BLOCK'], [4, 'IES_ERR_VEE_FUTURE_BLOCK']]);
  assert.equal(r.rejected[0]?.message, 'block 1969-12-31T23:45:00Z starts before 1970-01-01T00:00:00Z, the earliest instant the reads tables hold');
  assert.deepEqual(r.reads.map((x) => x.blockStart), [0]);
});
