/**
 * RFC 3339 timestamps (the ISO 8601 profile JSON Schema's `date-time` means) with an
 * explicit offset, and ISO 8601 durations. Messages quote times in the sender's own offset.
 */
export interface OffsetTime {
  /** UTC epoch ms (fractions below a millisecond dropped; see `subMillisecond`). */
  readonly ms: number;
  /** The offset as written: "Z", "+05:30", "-03:00". */
  readonly zone: string;
  readonly offsetMinutes: number;
  /** True when the fraction has non-zero digits below the millisecond. */
  readonly subMillisecond: boolean;
}

const DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(?:\.(\d+))?([Zz]|[+-]\d{2}:\d{2})$/;
const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const MINUTE_MS = 60_000;

const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

function daysInMonth(year: number, month: number): number {
  return month === 2 && isLeap(year) ? 29 : (DAYS_IN_MONTH[month - 1] ?? 0);
}

function isLeap(year: number): boolean {
  return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
}

function utcMs(year: number, month: number, day: number, hour: number, minute: number, second: number, ms: number): number {
  // Date.UTC maps years 0-99 to 1900-1999, so only those need the setters.
  if (year >= 100) return Date.UTC(year, month - 1, day, hour, minute, second, ms);
  const d = new Date(0);
  d.setUTCFullYear(year, month - 1, day);
  d.setUTCHours(hour, minute, second, ms);
  return d.getTime();
}

function validDate(year: number, month: number, day: number): boolean {
  return month >= 1 && month <= 12 && day >= 1 && day <= daysInMonth(year, month);
}

/** Parses "2026-05-04T09:00:00+05:30" or "…Z"; undefined when it is not RFC 3339 with an offset. */
export function parseOffsetTime(text: string): OffsetTime | undefined {
  const m = DATE_TIME.exec(text);
  if (!m) return undefined;
  const [year, month, day, hour, minute, second] = m.slice(1, 7).map(Number) as [number, number, number, number, number, number];
  const fraction = m[7] ?? '';
  const zone = m[8] ?? 'Z';
  if (!validDate(year, month, day) || hour > 23 || minute > 59 || second > 59) return undefined;
  let offsetMinutes = 0;
  if (zone !== 'Z' && zone !== 'z') {
    const oh = Number(zone.slice(1, 3));
    const om = Number(zone.slice(4, 6));
    if (oh > 23 || om > 59) return undefined;
    offsetMinutes = (zone.startsWith('-') ? -1 : 1) * (oh * 60 + om);
  }
  const millis = Number(fraction.slice(0, 3).padEnd(3, '0'));
  return {
    ms: utcMs(year, month, day, hour, minute, second, millis) - offsetMinutes * MINUTE_MS,
    zone,
    offsetMinutes,
    subMillisecond: /[1-9]/.test(fraction.slice(3)),
  };
}

/** True for an RFC 3339 full-date that exists ("2026-02-29" does not). */
export function isFullDate(text: string): boolean {
  const m = DATE.exec(text);
  return m !== null && validDate(Number(m[1]), Number(m[2]), Number(m[3]));
}

/** Formats an epoch ms in the given offset, e.g. "2026-05-04T09:15:00+05:30". */
export function formatOffsetTime(ms: number, zone: string, offsetMinutes: number): string {
  const iso = new Date(ms + offsetMinutes * MINUTE_MS).toISOString();
  const millis = iso.slice(19, 23) === '.000' ? '' : iso.slice(19, 23);
  return `${iso.slice(0, 19)}${millis}${zone}`;
}

const DURATION = /^P(?!$)(?:\d+(?:[.,]\d+)?Y)?(?:\d+(?:[.,]\d+)?M)?(?:\d+(?:[.,]\d+)?W)?(?:\d+(?:[.,]\d+)?D)?(?:T(?=\d)(?:\d+(?:[.,]\d+)?H)?(?:\d+(?:[.,]\d+)?M)?(?:\d+(?:[.,]\d+)?S)?)?$/;
const FIXED_DURATION = /^P(?!$)(?:(\d+)W)?(?:(\d+)D)?(?:T(?=\d)(?:(\d+)H)?(?:(\d+)M)?(?:(\d+)S)?)?$/;

/** True for an ISO 8601 duration ("PT15M", "P1D", "PT345H30M", "P1M"). */
export function isDuration(text: string): boolean {
  return DURATION.test(text);
}

/**
 * The length in ms of a duration made of weeks, days, hours, minutes and whole seconds;
 * undefined for years, months, fractions or a malformed text (no fixed length).
 */
export function durationMs(text: string): number | undefined {
  const m = FIXED_DURATION.exec(text);
  if (!m) return undefined;
  const [w, d, h, min, s] = m.slice(1, 6).map((x) => (x === undefined ? 0 : Number(x))) as [number, number, number, number, number];
  const ms = ((((w * 7 + d) * 24 + h) * 60 + min) * 60 + s) * 1000;
  return Number.isSafeInteger(ms) ? ms : undefined;
}
