// What the hand-written RowBinary decoders (history-decode.ts, series-decode.ts) share: the
// packed value's layout and LEB128 lengths.
import { PACKED_VALUE_BITS } from './queries.js';

/** A packed value's high word: the slot above HIGH_SLOT_SHIFT bits, the value's top bits below. */
export const HIGH_SLOT_SHIFT = PACKED_VALUE_BITS - 32;
export const HI_VALUE_MASK = 2 ** HIGH_SLOT_SHIFT - 1;

/** varint's answers other than a length: the buffer ends within it, or it runs past 5 bytes. */
export const TRUNCATED = -1;
export const TOO_LONG = -2;

/** Unsigned LEB128 at `p` (RowBinary lengths): TRUNCATED when the buffer ends, TOO_LONG past 5 bytes. */
export function varint(buf: Buffer, p: number): number {
  let n = 0;
  for (let shift = 0; shift <= 28; shift += 7) {
    if (p >= buf.length) return TRUNCATED;
    const b = buf[p++]!;
    n += (b & 0x7f) * 2 ** shift;
    if (b < 0x80) return n;
  }
  return TOO_LONG;
}

/** The position after the LEB128 at `p` (which varint has read whole). */
export function varintEnd(buf: Buffer, p: number): number {
  while (buf[p]! >= 0x80) p++;
  return p + 1;
}
