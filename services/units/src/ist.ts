/**
 * IST (UTC+05:30, no daylight saving) settlement days and 15-minute blocks. A day is named
 * by its IST calendar date `YYYY-MM-DD` and starts at 18:30Z of the previous UTC day; block
 * 0 is 00:00–00:15 IST, block 95 is 23:45–24:00 IST. IST is a whole number of blocks ahead
 * of UTC, so a block boundary is the same instant in both. A "day index" counts IST days
 * from 1970-01-01, so date arithmetic is integer arithmetic.
 */
export const BLOCKS_PER_DAY = 96;
export const BLOCK_MINUTES = 15;
export const BLOCK_MS = 900_000;
export const DAY_MS = 86_400_000;
export const IST_OFFSET_MS = 19_800_000;

const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

export function istDayIndexOf(utcMs: number): number {
  return Math.floor((utcMs + IST_OFFSET_MS) / DAY_MS);
}

/** UTC epoch ms of 00:00 IST on the given day index. */
export function istDayStartMs(dayIndex: number): number {
  return dayIndex * DAY_MS - IST_OFFSET_MS;
}

/** Index (0–95) of the 15-minute block that contains `utcMs` within its IST day. */
export function blockIndexOf(utcMs: number): number {
  return Math.floor((utcMs - istDayStartMs(istDayIndexOf(utcMs))) / BLOCK_MS);
}

export function dateOfDayIndex(dayIndex: number): string {
  return new Date(dayIndex * DAY_MS).toISOString().slice(0, 10);
}

/** The day index of an IST date, or undefined when `date` is not a real `YYYY-MM-DD` date. */
export function dayIndexOfDate(date: string): number | undefined {
  const m = DATE.exec(date);
  if (!m) return undefined;
  const index = Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])) / DAY_MS;
  // Date.UTC rolls 2026-02-30 over to March: compare back to refuse impossible dates.
  return dateOfDayIndex(index) === date ? index : undefined;
}

/** The IST settlement day ("YYYY-MM-DD") that contains the instant. */
export function istDayOf(utcMs: number): string {
  return dateOfDayIndex(istDayIndexOf(utcMs));
}

/** 00:00 IST of the day, in UTC epoch ms; undefined when `day` is not a real YYYY-MM-DD. */
export function istDayStart(day: string): number | undefined {
  const index = dayIndexOfDate(day);
  return index === undefined ? undefined : istDayStartMs(index);
}

/** 24:00 IST of the day (00:00 IST of the next), in UTC epoch ms. */
export function istDayEnd(day: string): number | undefined {
  const start = istDayStart(day);
  return start === undefined ? undefined : start + DAY_MS;
}

/** 0 = Sunday … 6 = Saturday (1970-01-01 was a Thursday). */
export function dayOfWeek(dayIndex: number): number {
  return (((dayIndex + 4) % 7) + 7) % 7;
}

export function isBlockAligned(utcMs: number): boolean {
  return Number.isSafeInteger(utcMs) && utcMs % BLOCK_MS === 0;
}

/** "18:45 IST" for messages. */
export function formatIstTime(utcMs: number): string {
  const minutes = Math.floor((utcMs - istDayStartMs(istDayIndexOf(utcMs))) / 60_000);
  return `${String(Math.floor(minutes / 60)).padStart(2, '0')}:${String(minutes % 60).padStart(2, '0')} IST`;
}
