// The packed-history decoder on hand-built RowBinary answers: values, missing and unusable
// reads, large values, duplicate blocks and the versioned answer over part of the days,
// whole or cut into pieces anywhere (as a socket delivers it), and malformed answers; the
// same for read_days' cells (decodeReadDays).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { IesError } from '@ies/errors';
import { decodeHistoryRows, decodeReadDays, emptyHistoryRows, historyDaysOfRow, type HistoryRows } from './history-decode.js';
import { PACKED_VALUE_BITS, READ_DAY_OTHER_STATUS, READ_DAY_SLOT_SHIFT, READ_DAY_STATUS_CODES, READ_DAY_STATUS_SHIFT } from './queries.js';

const dates = ['2026-03-02', '2026-03-03', '2026-03-04'];

function leb128(n: number): Buffer {
  const out: number[] = [];
  do {
    out.push((n & 0x7f) | (n >= 0x80 ? 0x80 : 0));
    n = Math.floor(n / 128);
  } while (n > 0);
  return Buffer.from(out);
}

function text(s: string): Buffer {
  return Buffer.concat([leb128(Buffer.byteLength(s)), Buffer.from(s)]);
}

function u64(n: number): Buffer {
  const b = Buffer.alloc(8);
  b.writeBigUInt64LE(BigInt(n));
  return b;
}

/** An element: slot × 2^37 + (wh + 1), wh null for an unusable read. */
const packed = (slot: number, wh: number | null) => slot * 2 ** PACKED_VALUE_BITS + (wh === null ? 0 : wh + 1);

function answer(meters: [string, Buffer[]][]): Buffer {
  return Buffer.concat(meters.flatMap(([id, elements]) => [text(id), leb128(elements.length), ...elements]));
}

async function* pieces(data: Buffer, cut: (i: number) => number): AsyncGenerator<Buffer> {
  for (let o = 0, i = 0; o < data.length; i++) {
    const n = Math.max(1, cut(i));
    yield data.subarray(o, o + n);
    o += n;
  }
}

const ids = ['M-A', 'M-B', 'M-C', 'M-D'];
const rowOf = new Map(ids.map((id, r) => [id, r]));
const big = 2 ** 36;
const fast = answer([
  ['M-C', [u64(packed(5, 50)), u64(packed(96 + 3, null)), u64(packed(2 * 96 + 95, big)), u64(packed(0, 0))]],
  // M-A has two rows for block 1 of day 0 and for block 7 of day 2.
  ['M-A', [u64(packed(1, 10)), u64(packed(2 * 96 + 7, 70)), u64(packed(1, 11)), u64(packed(2 * 96 + 7, 71)), u64(packed(96, 2 ** 32 + 5))]],
  ['M-B', Array.from({ length: 3 * 96 }, (_, i) => u64(packed(i, i * 1000)))],
]);

async function decodeFast(data: AsyncIterable<Buffer>): Promise<{ rows: HistoryRows; duplicates: number[][] }> {
  const rows = emptyHistoryRows(ids, dates);
  const duplicates: number[][] = [];
  await decodeHistoryRows(data, rows, rowOf, false, (r, first, last) => duplicates.push([r, first, last]));
  return { rows, duplicates };
}

const day = (values: Record<number, number | null>) => {
  const reads = new Array<number | null>(96).fill(null);
  for (const [i, v] of Object.entries(values)) reads[Number(i)] = v;
  return reads;
};

test('values, nulls and large values land in their meter row and day; duplicate blocks are reported with their days', async () => {
  const { rows, duplicates } = await decodeFast(pieces(fast, () => fast.length));
  assert.deepEqual(duplicates, [[0, 0, 2]]);
  assert.deepEqual(historyDaysOfRow(rows, 2), new Map([['2026-03-02', day({ 0: 0, 5: 50 })], ['2026-03-03', day({})], ['2026-03-04', day({ 95: big })]]));
  assert.deepEqual(historyDaysOfRow(rows, 1), new Map(dates.map((date, d) => [date, day(Object.fromEntries(Array.from({ length: 96 }, (_, i) => [i, (d * 96 + i) * 1000])))])));
  assert.equal(historyDaysOfRow(rows, 0).get('2026-03-03')![0], 2 ** 32 + 5);
  assert.deepEqual(historyDaysOfRow(rows, 3), new Map(), 'a meter without rows has no days');
});

test('cut into pieces anywhere, the answer decodes the same', async () => {
  const whole = await decodeFast(pieces(fast, () => fast.length));
  for (const size of [1, 2, 3, 7, 64, 1000, 4095, 4097]) {
    let seed = size;
    const got = await decodeFast(pieces(fast, () => 1 + ((seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648) % size)));
    assert.deepEqual(got.duplicates, whole.duplicates, `pieces up to ${size} B`);
    assert.deepEqual(Buffer.from(got.rows.present), Buffer.from(whole.rows.present), `pieces up to ${size} B`);
    for (let r = 0; r < ids.length; r++) assert.deepEqual(historyDaysOfRow(got.rows, r), historyDaysOfRow(whole.rows, r), `pieces up to ${size} B`);
  }
});

test('the versioned answer over the last day rewrites that day with the latest version of each block', async () => {
  const { rows } = await decodeFast(pieces(fast, () => fast.length));
  rows.values.fill(NaN, 2 * 96, 3 * 96); // what the loader does before asking again
  const element = (slot: number, wh: number | null, received: number, batch: string) => Buffer.concat([u64(packed(slot, wh)), u64(received), text(batch)]);
  // Slots are counted from the first day asked for (day index 2 here: slot 7 is block 7 of 2026-03-04).
  const versioned = answer([['M-A', [element(7, 70, 2_000, 'B-1'), element(7, 71, 1_000, 'B-9'), element(8, 80, 5_000, 'B-1'), element(8, 81, 5_000, 'B-2'), element(9, 90, 5_000, 'B-2'), element(9, null, 5_000, 'B-3')]]]);
  for (const size of [versioned.length, 5]) {
    await decodeHistoryRows(pieces(versioned, () => size), rows, new Map([['M-A', 0]]), true, () => assert.fail('no duplicates in a versioned answer'), { first: 2, count: 1 });
    const days = historyDaysOfRow(rows, 0);
    assert.deepEqual(days.get('2026-03-04'), day({ 7: 70, 8: 81, 9: null }));
    assert.equal(days.get('2026-03-02')![1], 10, 'days outside the versioned range keep their values');
  }
});

test('an answer that does not decode is a retriable dependency error naming what is wrong', async () => {
  const refused = (data: Buffer, pattern: RegExp) =>
    assert.rejects(decodeFast(pieces(data, () => data.length)), (err: unknown) => err instanceof IesError && err.code === 'IES_ERR_DEPENDENCY_UNAVAILABLE' && pattern.test(err.message));
  await refused(answer([['M-X', [u64(packed(0, 1))]]]), /meter "M-X" was not asked for or came twice/);
  await refused(answer([['M-A', [u64(packed(0, 1))]], ['M-A', [u64(packed(1, 1))]]]), /"M-A" was not asked for or came twice/);
  await refused(answer([['M-A', [u64(packed(3 * 96, 1))]]]), /slot outside the 3 days asked for/);
  await refused(Buffer.concat([fast, Buffer.from('Code: 241. DB::Exception: Memory limit')]), /Memory limit/);
});

// read_days' answer: rows (meter_id, ist_day, cells), a meter-day in several rows when its parts are not merged.
const FIRST_DAY = 20_514; // rows.dates[0] as an IST day index (the decoder only takes the offset)
const USABLE = (1 << READ_DAY_STATUS_CODES.VALID!) | (1 << READ_DAY_STATUS_CODES.ESTIMATED!) | (1 << READ_DAY_STATUS_CODES.MANUAL!);
/** A cell: slot × 2^40 + status × 2^37 + (wh + 1), wh null for a value outside 0…2^36. */
const cell = (slot: number, wh: number | null, status = 'VALID') =>
  u64(slot * 2 ** READ_DAY_SLOT_SHIFT + (READ_DAY_STATUS_CODES[status] ?? READ_DAY_OTHER_STATUS) * 2 ** READ_DAY_STATUS_SHIFT + (wh === null ? 0 : wh + 1));
function dayRows(list: [string, number, Buffer[]][]): Buffer {
  return Buffer.concat(list.flatMap(([id, d, cells]) => {
    const dayIndex = Buffer.alloc(2);
    dayIndex.writeUInt16LE(FIRST_DAY + d);
    return [text(id), dayIndex, leb128(cells.length), ...cells];
  }));
}
const cellsAnswer = dayRows([
  ['M-C', 0, [cell(5, 50), cell(6, 60, 'SUSPECT'), cell(7, 70, 'REJECTED'), cell(8, 80, 'ESTIMATED'), cell(9, 90, 'MANUAL'), cell(10, 100, 'IMPORTED')]],
  ['M-B', 2, [cell(95, 2 ** 36), cell(94, null), cell(0, 2 ** 32 + 5)]],
  // another part of M-C's day 0: new slots, the same value again (a batch delivered twice), an unusable one again
  ['M-C', 0, [cell(11, 110), cell(5, 50), cell(6, 61, 'SUSPECT')]],
  ['M-A', 1, [cell(3, 30, 'SUSPECT')]], // a day with reads, none usable
  // M-A's day 2 in two parts that disagree on block 4 (a revision): reported; day 1 agrees
  ['M-A', 2, [cell(4, 40), cell(5, 50)]],
  ['M-A', 2, [cell(4, 41)]],
]);

async function decodeCells(data: AsyncIterable<Buffer>, maxWh = 2 ** 36): Promise<{ rows: HistoryRows; differ: number[][] }> {
  const rows = emptyHistoryRows(ids, dates);
  rows.values.fill(-1); // a reused grid: whatever an earlier chunk left
  const differ: number[][] = [];
  await decodeReadDays(data, rows, rowOf, { firstDay: FIRST_DAY, usableCodes: USABLE, maxWh }, (r, d) => differ.push([r, d]));
  return { rows, differ };
}

test('read_days cells: usable statuses keep their value, others and out-of-range values are missing; parts of a day join', async () => {
  const { rows, differ } = await decodeCells(pieces(cellsAnswer, () => cellsAnswer.length));
  assert.deepEqual(differ, [[0, 2]], 'only the two different values of one block are reported');
  assert.deepEqual(historyDaysOfRow(rows, 2), new Map([['2026-03-02', day({ 5: 50, 8: 80, 9: 90, 11: 110 })]]));
  assert.deepEqual(historyDaysOfRow(rows, 1), new Map([['2026-03-04', day({ 95: 2 ** 36, 0: 2 ** 32 + 5 })]]));
  assert.deepEqual(historyDaysOfRow(rows, 0).get('2026-03-03'), day({}), 'a day with only unusable reads is present, all missing');
  assert.deepEqual(historyDaysOfRow(rows, 3), new Map(), 'a meter without rows has no days');
  const lower = await decodeCells(pieces(cellsAnswer, () => cellsAnswer.length), 2 ** 32);
  assert.equal(historyDaysOfRow(lower.rows, 1).get('2026-03-04')![95], null, 'a value above maxWh is missing');
  assert.equal(historyDaysOfRow(lower.rows, 1).get('2026-03-04')![0], null);
});

test('read_days cells cut into pieces anywhere decode the same; a bad answer is a dependency error', async () => {
  const whole = await decodeCells(pieces(cellsAnswer, () => cellsAnswer.length));
  for (const size of [1, 2, 3, 9, 64, 4097]) {
    let seed = size;
    const got = await decodeCells(pieces(cellsAnswer, () => 1 + ((seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648) % size)));
    assert.deepEqual(got.differ, whole.differ, `pieces up to ${size} B`);
    for (let r = 0; r < ids.length; r++) assert.deepEqual(historyDaysOfRow(got.rows, r), historyDaysOfRow(whole.rows, r), `pieces up to ${size} B`);
  }
  const refused = (data: Buffer, pattern: RegExp) =>
    assert.rejects(decodeCells(pieces(data, () => data.length)), (err: unknown) => err instanceof IesError && err.code === 'IES_ERR_DEPENDENCY_UNAVAILABLE' && pattern.test(err.message));
  await refused(dayRows([['M-X', 0, [cell(0, 1)]]]), /a meter that was not asked for/);
  await refused(dayRows([['M-A', 3, [cell(0, 1)]]]), /a day outside the 3 asked for/);
  await refused(dayRows([['M-A', -1, [cell(0, 1)]]]), /a day outside the 3 asked for/);
  await refused(dayRows([['M-A', 0, [cell(96, 1)]]]), /slot is not a block of the day/);
  await refused(Buffer.concat([cellsAnswer, Buffer.from('Code: 241. DB::Exception: Memory limit')]), /Memory limit/);
});
