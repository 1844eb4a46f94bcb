/**
 * Where an event sits in its IST day: its first 15-minute interval and count, and the
 * windows (pre-event, adjustment) a method reads, as interval ranges of that day.
 */
import { drError } from './codes.js';
import { dateOfDayIndex, formatIstTime, BLOCK_MINUTES, BLOCK_MS, blockIndexOf, istDayIndexOf } from '@ies/units';

export interface EventGeometry {
  readonly dayIndex: number;
  readonly date: string;
  readonly first: number;
  readonly count: number;
  readonly intervalStarts: readonly number[];
}

/** The event's intervals; refused unless on the 15-minute grid, non-empty and within one IST day. */
export function eventGeometry(start: number, end: number): EventGeometry {
  const problems: string[] = [];
  for (const [name, v] of [['eventStart', start], ['eventEnd', end]] as const) {
    if (!Number.isSafeInteger(v)) problems.push(`${name} ${v} is not an integer epoch ms`);
    else if (v % BLOCK_MS !== 0) problems.push(`${name} ${new Date(v).toISOString()} (${formatIstTime(v)}) is not on a 15-minute boundary`);
  }
  if (problems.length === 0 && end <= start) problems.push(`eventEnd ${new Date(end).toISOString()} is not after eventStart ${new Date(start).toISOString()}`);
  if (problems.length === 0 && istDayIndexOf(start) !== istDayIndexOf(end - 1)) problems.push(`event ${formatIstTime(start)} ${dateOfDayIndex(istDayIndexOf(start))} to ${formatIstTime(end)} ${dateOfDayIndex(istDayIndexOf(end - 1))} crosses IST midnight; split it into one event per IST day`);
  if (problems.length > 0) throw drError('IES_ERR_DR_INPUT_INVALID', problems.join('; '), { eventStart: start, eventEnd: end });
  const dayIndex = istDayIndexOf(start);
  const first = blockIndexOf(start);
  const count = (end - start) / BLOCK_MS;
  const intervalStarts = Array.from({ length: count }, (_, i) => start + i * BLOCK_MS);
  return { dayIndex, date: dateOfDayIndex(dayIndex), first, count, intervalStarts };
}

export interface Window {
  readonly first: number;
  readonly count: number;
}

/** The window [event start + startOffset, event start + endOffset) in minutes, which must not reach before 00:00 IST. */
export function windowOf(ev: EventGeometry, startOffset: number, endOffset: number, policy: string, eventStart: number): Window {
  const first = ev.first + startOffset / BLOCK_MINUTES;
  if (first < 0) {
    throw drError('IES_ERR_DR_INPUT_INVALID', `${policy} needs reads from ${-startOffset} min before the event start ${formatIstTime(eventStart)}, which is before 00:00 IST of the event day; windows must stay within the event's IST day`, { policy, eventStart });
  }
  return { first, count: (endOffset - startOffset) / BLOCK_MINUTES };
}
