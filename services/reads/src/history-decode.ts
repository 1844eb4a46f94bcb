// The decoder of packedHistoryQuery's RowBinary answer: per meter, IST date → 96 values.
// Hand-written for speed (see services/dr/README.md, "History from ClickHouse"): a million
// meter-days decode without boxing a number per value.
import { IesError } from '@ies/errors';
import { HIGH_SLOT_SHIFT, HI_VALUE_MASK, TOO_LONG, TRUNCATED, varint, varintEnd } from './rowbinary.js';

/** IST date → 96 values (block 0 = 00:00–00:15 IST, Wh, null where missing or unusable); a day without any read is absent. */
export type HistoryDays = Map<string, (number | null)[]>;

export const BLOCKS_PER_DAY = 96;

const NULL_DAY: (number | null)[] = [];
for (let i = 0; i < BLOCKS_PER_DAY; i++) NULL_DAY.push(null); // packed, so slices are too

type DayArray = (number | null)[] | undefined;

/**
 * Decodes the RowBinary answer of packedHistoryQuery. Calls `emit(meterId, days)`, or
 * `emit(meterId, null)` when a meter has two rows for one block and `withVersions` is false.
 * ClickHouse reports an error that happens mid-stream as text appended to the body; the
 * checks on ids, lengths and slots turn that into an error here.
 */
export async function decodeHistory(stream: AsyncIterable<Buffer>, plan: { readonly dates: readonly string[] }, ids: ReadonlySet<string>, withVersions: boolean, emit: (meterId: string, days: HistoryDays | null) => void): Promise<void> {
  const slots = plan.dates.length * BLOCKS_PER_DAY;
  const seen = new Uint8Array(slots);
  const versions = withVersions ? { receivedAt: new Float64Array(slots), batchAt: new Int32Array(slots), batchLength: new Int32Array(slots) } : null;
  const dayReads: DayArray[] = new Array<DayArray>(plan.dates.length);
  const done = new Set<string>();
  let buf: Buffer = Buffer.alloc(0);
  let pos = 0;

  const corrupt = (what: string, at: number): never => {
    const text = buf.subarray(Math.max(0, at - 64), at + 200).toString('latin1').replace(/[^\x20-\x7e]+/g, ' ');
    throw new IesError('IES_ERR_DEPENDENCY_UNAVAILABLE', `meter history answer from ClickHouse is malformed (${what}) near: ${text}`);
  };

  /** Decodes the meter row at `pos` and returns the position after it, or -1 when the buffer ends within it. */
  const row = (): number => {
    let p = pos;
    const idLength = varint(buf, p);
    if (idLength === TRUNCATED) return -1;
    if (idLength === TOO_LONG) corrupt('meter id length', p);
    p = varintEnd(buf, p);
    if (p + idLength > buf.length) return -1;
    const meterId = buf.toString('utf8', p, p + idLength);
    p += idLength;
    const n = varint(buf, p);
    if (n === TRUNCATED) return -1;
    if (n === TOO_LONG) corrupt('array length', p);
    if (!ids.has(meterId) || done.has(meterId)) corrupt(`meter ${JSON.stringify(meterId.slice(0, 40))} was not asked for or came twice`, pos);
    p = varintEnd(buf, p);
    seen.fill(0);
    dayReads.fill(undefined);
    let end: number;
    if (versions === null) {
      if (p + n * 8 > buf.length) return -1;
      end = placeLatestOnly(buf, p, n, slots, seen, dayReads);
    } else {
      end = placeWithVersions(buf, p, n, slots, seen, dayReads, versions);
      if (end === TRUNCATED) return -1;
    }
    if (end === BAD_SLOT) corrupt(`meter ${meterId} has an element that does not decode or a slot outside the ${plan.dates.length} days asked for`, pos);
    done.add(meterId);
    if (end === DUPLICATE) {
      emit(meterId, null);
      return p + n * 8;
    }
    const days: HistoryDays = new Map();
    for (let d = 0; d < dayReads.length; d++) if (dayReads[d] !== undefined) days.set(plan.dates[d]!, dayReads[d]!);
    emit(meterId, days);
    return end;
  };

  for await (const chunk of stream) {
    buf = pos < buf.length ? Buffer.concat([buf.subarray(pos), chunk]) : chunk;
    pos = 0;
    while (pos < buf.length) {
      const next = row();
      if (next < 0) break;
      pos = next;
    }
  }
  if (pos < buf.length) corrupt(`${buf.length - pos} bytes left after the last complete row`, pos);
}

const DUPLICATE = -3;
const BAD_SLOT = -4;

/**
 * Places `n` packed values (8 bytes each, from `p`) into the day arrays. Returns the end
 * position, DUPLICATE when two values share a slot, BAD_SLOT for a slot out of range.
 * The hot loop of the fast path: small values stay small integers, so no number is boxed.
 */
function placeLatestOnly(buf: Buffer, p: number, n: number, slots: number, seen: Uint8Array, dayReads: DayArray[]): number {
  for (let k = 0; k < n; k++, p += 8) {
    const lo = buf[p]! | (buf[p + 1]! << 8) | (buf[p + 2]! << 16) | (buf[p + 3]! << 24);
    const hi = buf[p + 4]! | (buf[p + 5]! << 8) | (buf[p + 6]! << 16) | (buf[p + 7]! << 24);
    const slot = hi >>> HIGH_SLOT_SHIFT;
    if (slot >= slots) return BAD_SLOT;
    if (seen[slot] === 1) return DUPLICATE;
    seen[slot] = 1;
    const day = (slot / BLOCKS_PER_DAY) | 0;
    const reads = dayReads[day] ?? (dayReads[day] = NULL_DAY.slice());
    const high = hi & HI_VALUE_MASK;
    reads[slot - day * BLOCKS_PER_DAY] = high === 0 && lo > 0 ? lo - 1 : high === 0 && lo === 0 ? null : high * 2 ** 32 + (lo >>> 0) - 1;
  }
  return p;
}

/** Like placeLatestOnly for elements (packed, received_at_ms, batch_id): the latest version of each slot wins. */
function placeWithVersions(buf: Buffer, p: number, n: number, slots: number, seen: Uint8Array, dayReads: DayArray[], v: { receivedAt: Float64Array; batchAt: Int32Array; batchLength: Int32Array }): number {
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
    const reads = dayReads[day] ?? (dayReads[day] = NULL_DAY.slice());
    const value = (hi & HI_VALUE_MASK) * 2 ** 32 + lo - 1;
    reads[slot - day * BLOCKS_PER_DAY] = value < 0 ? null : value;
  }
  return p;
}
