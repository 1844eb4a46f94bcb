// The decoder of packedHistoryQuery's RowBinary answer, straight into a typed grid of a
// chunk of meters (row r: its days × 96 values). Hand-written for speed (see
// services/dr/README.md, "History from ClickHouse"): no number is boxed and no array is
// made per meter-day; historyDaysOfRow turns a row into the Map form when a caller wants it.
import { IesError } from '@ies/errors';
import { HIGH_SLOT_SHIFT, HI_VALUE_MASK, TOO_LONG, TRUNCATED, varint, varintEnd } from './rowbinary.js';
import { READ_DAY_SLOT_SHIFT, READ_DAY_STATUS_SHIFT } from './queries.js';

/** IST date → 96 values (block 0 = 00:00–00:15 IST, Wh, null where missing or unusable); a day without any read is absent. */
export type HistoryDays = Map<string, (number | null)[]>;

export const BLOCKS_PER_DAY = 96;

/** The fast path reads RowBinary's little-endian words through a Uint32Array, so it needs a little-endian host (x86, arm64). */
const LITTLE_ENDIAN = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;

/**
 * A chunk of meters' history as one grid: row r is meter meterIds[r], its day d the 96
 * values values[(r × dates.length + d) × 96 …], NaN where missing or unusable;
 * present[r × dates.length + d] is 1 when that day has any read (usable or not). The values
 * of a day that is not present mean nothing (the decoder sets a day to NaN when its first
 * read arrives, so a grid can be reused by zeroing `present`).
 */
export interface HistoryRows {
  readonly meterIds: readonly string[];
  readonly dates: readonly string[];
  readonly values: Float64Array;
  readonly present: Uint8Array;
}

/** An empty grid (every value NaN, no day present) for `meterIds` over `dates`. */
export function emptyHistoryRows(meterIds: readonly string[], dates: readonly string[]): HistoryRows {
  return { meterIds, dates, values: new Float64Array(meterIds.length * dates.length * BLOCKS_PER_DAY).fill(NaN), present: new Uint8Array(meterIds.length * dates.length) };
}

const NULL_DAY: (number | null)[] = [];
for (let i = 0; i < BLOCKS_PER_DAY; i++) NULL_DAY.push(null); // packed, so slices are too

/** Row r in the Map form of HistoryDays: present days only, NaN as null. */
export function historyDaysOfRow(rows: HistoryRows, r: number): HistoryDays {
  const days: HistoryDays = new Map();
  const n = rows.dates.length;
  const values = rows.values;
  for (let d = 0; d < n; d++) {
    if (rows.present[r * n + d] === 0) continue;
    const at = (r * n + d) * BLOCKS_PER_DAY;
    const reads = NULL_DAY.slice();
    for (let i = 0; i < BLOCKS_PER_DAY; i++) {
      const v = values[at + i]!;
      if (v === v) reads[i] = v; // NaN stays null
    }
    days.set(rows.dates[d]!, reads);
  }
  return days;
}

/**
 * Decodes the RowBinary answer of packedHistoryQuery into `rows`: `rowOf` maps each meter
 * asked for to its row. When `withVersions` is false and a meter has two rows for one block,
 * `duplicate(r, firstDay, lastDay)` is called with the days (indexes into rows.dates) where
 * that happened: those days hold either row's value until the caller asks again for them
 * withVersions (`queryDays`: the range of days that query covered, its slot 0 being day
 * queryDays.first), which rewrites them with the latest version of each block.
 * ClickHouse reports an error that happens mid-stream as text appended to the body; the
 * checks on ids, lengths and slots turn that into an error here.
 */
export async function decodeHistoryRows(stream: AsyncIterable<Buffer>, rows: HistoryRows, rowOf: ReadonlyMap<string, number>, withVersions: boolean, duplicate: (r: number, firstDay: number, lastDay: number) => void, queryDays = { first: 0, count: rows.dates.length }): Promise<void> {
  if (!LITTLE_ENDIAN) throw new IesError('IES_ERR_INTERNAL', 'the meter history decoder needs a little-endian host');
  const days = rows.dates.length;
  const slots = queryDays.count * BLOCKS_PER_DAY;
  if (slots > MAX_SLOTS) throw new IesError('IES_ERR_INTERNAL', `a meter history query spans ${queryDays.count} days; the decoder takes ${MAX_SLOTS / BLOCKS_PER_DAY} at most`);
  const at = { row: 0, slot: queryDays.first * BLOCKS_PER_DAY, day: queryDays.first, rowDays: days };
  const seen = new Uint8Array(slots);
  const duplicates = new Int32Array(2);
  let words = new Uint32Array(2 * slots);
  let bytes = new Uint8Array(words.buffer);
  const versions = withVersions ? { receivedAt: new Float64Array(slots), batchAt: new Int32Array(slots), batchLength: new Int32Array(slots) } : null;
  const done = new Uint8Array(rows.meterIds.length);

  /** Decodes the meter row at `pos` and returns the position after it, or -1 when the buffer ends within it. */
  const cursor = { end: 0 };
  const row = (buf: Buffer, pos: number): number => {
    const meterId = meterIdAt(buf, pos, 0, cursor);
    if (meterId === undefined) return -1;
    let p = cursor.end;
    const n = varint(buf, p);
    if (n === TRUNCATED) return -1;
    if (n === TOO_LONG) corrupt(buf, 'array length', p);
    const r = rowOf.get(meterId);
    if (r === undefined || done[r] === 1) corrupt(buf, `meter ${JSON.stringify(meterId.slice(0, 40))} was not asked for or came twice`, pos);
    p = varintEnd(buf, p);
    seen.fill(0);
    at.row = r!;
    let end: number;
    if (versions === null) {
      if (p + n * 8 > buf.length) return -1;
      if (n * 8 > bytes.length) {
        words = new Uint32Array(2 * n);
        bytes = new Uint8Array(words.buffer);
      }
      bytes.set(buf.subarray(p, p + n * 8));
      duplicates[0] = days;
      duplicates[1] = -1;
      end = placeLatestOnly(words, n, slots, seen, rows, at, duplicates) === BAD_SLOT ? BAD_SLOT : p + n * 8;
    } else {
      end = placeWithVersions(buf, p, n, slots, seen, rows, at, versions);
      if (end === TRUNCATED) return -1;
    }
    if (end === BAD_SLOT) corrupt(buf, `meter ${meterId} has an element that does not decode or a slot outside the ${queryDays.count} days asked for`, pos);
    done[r!] = 1;
    if (versions === null && duplicates[1]! >= 0) duplicate(r!, duplicates[0]!, duplicates[1]!);
    return end;
  };

  await eachRow(stream, row);
}

/** What decodeReadDays needs besides the grid: the IST day index of rows.dates[0] and what counts as usable. */
export interface ReadDaysDecoding {
  readonly firstDay: number;
  /** Bit c set: a cell with status code c is usable (READ_DAY_STATUS_CODES). */
  readonly usableCodes: number;
  /** Values above it count as unusable (at most READ_DAY_MAX_WH). */
  readonly maxWh: number;
}

/**
 * Decodes the RowBinary answer of readDaysQuery into `rows`: (meter_id, ist_day, cells), a
 * meter-day in as many rows as it has unmerged parts, in any order. A slot's value is its
 * cell's wh when the status is usable and wh ≤ maxWh, else NaN (missing); a day with any
 * cell is present. Two cells of one slot that give the same value agree (a batch delivered
 * twice); two that differ (a revision) call `differs(r, day)`, and that day holds either
 * value until the caller asks `reads` for the versions (decodeHistoryRows withVersions).
 */
export async function decodeReadDays(stream: AsyncIterable<Buffer>, rows: HistoryRows, rowOf: ReadonlyMap<string, number>, decoding: ReadDaysDecoding, differs: (r: number, day: number) => void): Promise<void> {
  if (!LITTLE_ENDIAN) throw new IesError('IES_ERR_INTERNAL', 'the meter history decoder needs a little-endian host');
  const days = rows.dates.length;
  let words = new Uint32Array(2 * BLOCKS_PER_DAY);
  let bytes = new Uint8Array(words.buffer);
  const cursor = { end: 0 };
  const row = (buf: Buffer, pos: number): number => {
    const meterId = meterIdAt(buf, pos, 2, cursor);
    if (meterId === undefined) return -1;
    const r = rowOf.get(meterId);
    if (r === undefined) corrupt(buf, 'a meter that was not asked for', pos);
    const day = buf.readUInt16LE(cursor.end) - decoding.firstDay;
    if (day < 0 || day >= days) corrupt(buf, `a day outside the ${days} asked for`, pos);
    let p = cursor.end + 2;
    const n = varint(buf, p);
    if (n === TRUNCATED) return -1;
    if (n === TOO_LONG) corrupt(buf, 'array length', p);
    p = varintEnd(buf, p);
    if (p + n * 8 > buf.length) return -1;
    if (n * 8 > bytes.length) {
      words = new Uint32Array(2 * n);
      bytes = new Uint8Array(words.buffer);
    }
    bytes.set(buf.subarray(p, p + n * 8));
    const placed = placeCells(words, n, rows, r! * days + day, decoding);
    if (placed === BAD_SLOT) corrupt(buf, 'a cell whose slot is not a block of the day', pos);
    if (placed === DIFFERS) differs(r!, day);
    return p + n * 8;
  };
  await eachRow(stream, row);
  // -1 marked a slot seen with an unusable value (so a second cell can be compared): now missing.
  const values = rows.values;
  for (let i = 0; i < values.length; i++) if (values[i] === -1) values[i] = NaN;
}

const DIFFERS = 1;

/**
 * Places one meter-day's cells (two little-endian words each, copied aligned into `words`)
 * into grid day `gridDay` (row × days + day). An unusable value is written -1 until the
 * whole answer is in. Returns 0, DIFFERS when two cells of one slot give different values,
 * or BAD_SLOT.
 */
function placeCells(words: Uint32Array, n: number, rows: HistoryRows, gridDay: number, d: ReadDaysDecoding): number {
  const values = rows.values;
  const base = gridDay * BLOCKS_PER_DAY;
  if (rows.present[gridDay] === 0) {
    rows.present[gridDay] = 1;
    for (let i = base; i < base + BLOCKS_PER_DAY; i++) values[i] = NaN;
  }
  const usable = d.usableCodes;
  const maxWh = d.maxWh;
  let result = 0;
  for (let k = 0; k < 2 * n; k += 2) {
    const hi = words[k + 1]!;
    const slot = hi >>> CELL_SLOT_SHIFT;
    if (slot >= BLOCKS_PER_DAY) return BAD_SLOT;
    const high = hi & CELL_VALUE_MASK;
    const lo = words[k]!;
    // wh + 1 in the low 37 bits; 0 is a value outside 0…2^36
    const stored = high === 0 ? lo : high * 2 ** 32 + lo;
    const value = stored === 0 || ((usable >>> ((hi >>> CELL_STATUS_SHIFT) & 7)) & 1) === 0 || stored - 1 > maxWh ? -1 : stored - 1;
    const was = values[base + slot]!;
    if (was !== was) values[base + slot] = value; // NaN: the slot's first cell
    else if (was !== value) result = DIFFERS;
  }
  return result;
}

/** A cell's high word: slot above bit 8 (2^40), status in bits 5–7 (2^37), the value's top 5 bits. */
const CELL_SLOT_SHIFT = READ_DAY_SLOT_SHIFT - 32;
const CELL_STATUS_SHIFT = READ_DAY_STATUS_SHIFT - 32;
const CELL_VALUE_MASK = 2 ** CELL_STATUS_SHIFT - 1;

/**
 * The meter id at `p` (a LEB128 length and UTF-8 bytes) when the buffer holds it and `after`
 * more bytes; `cursor.end` is then the position just after the id. Undefined when the buffer
 * ends first (the row is finished from the next chunk).
 */
function meterIdAt(buf: Buffer, p: number, after: number, cursor: { end: number }): string | undefined {
  const idLength = varint(buf, p);
  if (idLength === TRUNCATED) return undefined;
  if (idLength === TOO_LONG) corrupt(buf, 'meter id length', p);
  const start = varintEnd(buf, p);
  if (start + idLength + after > buf.length) return undefined;
  cursor.end = start + idLength;
  return buf.toString('utf8', start, start + idLength);
}

/** ClickHouse reports an error that happens mid-stream as text appended to the body: show what is there. */
function corrupt(buf: Buffer, what: string, at: number): never {
  const text = buf.subarray(Math.max(0, at - 64), at + 200).toString('latin1').replace(/[^\x20-\x7e]+/g, ' ');
  throw new IesError('IES_ERR_DEPENDENCY_UNAVAILABLE', `meter history answer from ClickHouse is malformed (${what}) near: ${text}`);
}

/**
 * Feeds every row of a RowBinary answer to `row(buf, pos)`, which decodes the row at `pos`
 * and returns the position after it, or -1 when `buf` ends within it. A row cut across the
 * stream's chunks is finished from a prefix of the next chunk (doubling until it fits)
 * instead of copying the whole chunk behind it. Bytes left after the last row are an error.
 */
async function eachRow(stream: AsyncIterable<Buffer>, row: (buf: Buffer, pos: number) => number): Promise<void> {
  let buf: Buffer = Buffer.alloc(0);
  let pos = 0;
  for await (const chunk of stream) {
    let from = 0;
    if (pos < buf.length) {
      const rest = buf.subarray(pos);
      for (let take = Math.min(chunk.length, Math.max(4096, rest.length)); ; take = Math.min(chunk.length, take * 2)) {
        buf = Buffer.concat([rest, chunk.subarray(0, take)]);
        pos = 0;
        const next = row(buf, 0);
        if (next >= 0) {
          from = next - rest.length;
          break;
        }
        if (take === chunk.length) {
          from = -1;
          break;
        }
      }
      if (from < 0) continue; // the row goes on past this chunk: buf holds it all so far
    }
    buf = chunk;
    pos = from;
    while (pos < buf.length) {
      const next = row(buf, pos);
      if (next < 0) break;
      pos = next;
    }
  }
  if (pos < buf.length) corrupt(buf, `${buf.length - pos} bytes left after the last complete row`, pos);
}

const BAD_SLOT = -4;

/** Where a meter's values go: its row, and the slot and day of the query's slot 0 in that row. */
interface Target {
  row: number;
  readonly slot: number;
  readonly day: number;
  readonly rowDays: number;
}

/**
 * Places `n` packed values (two little-endian words each, copied aligned into `words`) into
 * the target row. Returns 0, or BAD_SLOT for a slot out of range. A block seen twice keeps
 * its first value and widens `duplicates` (first and last day with one) for the caller.
 * The hot loop of the fast path: small values stay small integers, so no number is boxed.
 */
function placeLatestOnly(words: Uint32Array, n: number, slots: number, seen: Uint8Array, rows: HistoryRows, at: Target, duplicates: Int32Array): number {
  const values = rows.values;
  const present = rows.present;
  const base = at.row * at.rowDays * BLOCKS_PER_DAY + at.slot;
  const dayBase = at.row * at.rowDays + at.day;
  const shift = HIGH_SLOT_SHIFT;
  const mask = HI_VALUE_MASK;
  for (let k = 0; k < 2 * n; k += 2) {
    const hi = words[k + 1]!;
    const slot = hi >>> shift;
    if (slot >= slots) return BAD_SLOT;
    const day = (slot * DAY_OF_SLOT) >>> 23; // slot / 96
    if (seen[slot] === 1) {
      if (at.day + day < duplicates[0]!) duplicates[0] = at.day + day;
      if (at.day + day > duplicates[1]!) duplicates[1] = at.day + day;
      continue;
    }
    seen[slot] = 1;
    if (present[dayBase + day] === 0) {
      present[dayBase + day] = 1;
      for (let i = base + day * BLOCKS_PER_DAY, end = i + BLOCKS_PER_DAY; i < end; i++) values[i] = NaN;
    }
    const lo = words[k]!;
    const high = hi & mask;
    values[base + slot] = high === 0 ? (lo === 0 ? NaN : lo - 1) : high * 2 ** 32 + lo - 1;
  }
  return 0;
}

/** ⌈2^23 / 96⌉: (slot × DAY_OF_SLOT) >>> 23 is ⌊slot / 96⌋ for every slot below MAX_SLOTS. */
const DAY_OF_SLOT = 87_382;
/** 512 days of slots: the product above stays below 2^32 (dr asks for 366 days at most). */
const MAX_SLOTS = 512 * BLOCKS_PER_DAY;

/** Like placeLatestOnly for elements (packed, received_at_ms, batch_id): the latest version of each slot wins. */
function placeWithVersions(buf: Buffer, p: number, n: number, slots: number, seen: Uint8Array, rows: HistoryRows, at: Target, v: { receivedAt: Float64Array; batchAt: Int32Array; batchLength: Int32Array }): number {
  const base = at.row * at.rowDays * BLOCKS_PER_DAY + at.slot;
  const dayBase = at.row * at.rowDays + at.day;
  for (let k = 0; k < n; k++) {
    if (p + 17 > buf.length) return TRUNCATED;
    const lo = buf.readUInt32LE(p);
    const hi = buf.readUInt32LE(p + 4);
    const receivedAt = buf.readUInt32LE(p + 8) + buf.readUInt32LE(p + 12) * 2 ** 32;
    const length = varint(buf, p + 16);
    if (length === TRUNCATED) return TRUNCATED;
    if (length === TOO_LONG) return BAD_SLOT;
    const start = varintEnd(buf, p + 16);
    p = start + length;
    if (p > buf.length) return TRUNCATED;
    const slot = hi >>> HIGH_SLOT_SHIFT;
    if (slot >= slots) return BAD_SLOT;
    if (seen[slot] === 1) {
      const stored = v.receivedAt[slot]!;
      const later = receivedAt !== stored ? receivedAt > stored
        : Buffer.compare(buf.subarray(start, start + length), buf.subarray(v.batchAt[slot]!, v.batchAt[slot]! + v.batchLength[slot]!)) > 0;
      if (!later) continue;
    }
    seen[slot] = 1;
    v.receivedAt[slot] = receivedAt;
    v.batchAt[slot] = start;
    v.batchLength[slot] = length;
    const day = (slot / BLOCKS_PER_DAY) | 0;
    if (rows.present[dayBase + day] === 0) {
      rows.present[dayBase + day] = 1;
      rows.values.fill(NaN, base + day * BLOCKS_PER_DAY, base + (day + 1) * BLOCKS_PER_DAY);
    }
    const value = (hi & HI_VALUE_MASK) * 2 ** 32 + lo - 1;
    rows.values[base + slot] = value < 0 ? NaN : value;
  }
  return p;
}
