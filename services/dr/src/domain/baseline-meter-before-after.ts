/**
 * The meter-before/after method: the baseline is the meter's mean load in a window before
 * the event on the event day itself, flat across the event, rounded half to even.
 */
import { divideHalfEven, formatIstTime } from '@ies/units';
import { malformed, MALFORMED, readsOf, windowSum } from './baseline-day-reads.js';
import { windowOf, type EventGeometry } from './baseline-geometry.js';
import type { BaselineInput, BaselineResult, MeterBaseline } from './baseline-model.js';
import { policyRef, type MeterBeforeAfterPack } from './policy-pack.js';

export function meterBeforeAfterBaseline(pack: MeterBeforeAfterPack, input: BaselineInput, ev: EventGeometry): BaselineResult {
  const policy = policyRef(pack);
  const p = pack.parameters;
  const window = windowOf(ev, p.windowStartOffsetMinutes, p.windowEndOffsetMinutes, policy, input.eventStart);
  const bigW = BigInt(window.count);
  const meters: MeterBaseline[] = input.meters.map((meter) => {
    const reads = readsOf(meter.days, ev.date);
    const sum = reads === undefined ? -1 : windowSum(reads, window);
    if (sum === MALFORMED) malformed(meter.meterId, ev.date, reads!);
    if (sum < 0) {
      const nulls = new Array<null>(ev.count).fill(null);
      return {
        meterId: meter.meterId,
        status: 'INSUFFICIENT_HISTORY',
        detail: `event day ${ev.date} has ${reads === undefined ? 'no reads' : 'a missing read'} in the pre-event window ${formatIstTime(input.eventStart + p.windowStartOffsetMinutes * 60_000)}–${formatIstTime(input.eventStart + p.windowEndOffsetMinutes * 60_000)}`,
        likeDays: [], selectedDays: [], excludedDays: [], adjustment: null, unadjustedWh: nulls, baselineWh: nulls,
      };
    }
    const value = Number(divideHalfEven(BigInt(sum), bigW));
    const flat = new Array<number>(ev.count).fill(value);
    return { meterId: meter.meterId, status: 'OK', detail: null, likeDays: [], selectedDays: [ev.date], excludedDays: [], adjustment: { type: 'NONE' }, unadjustedWh: flat, baselineWh: flat };
  });
  return { policy, method: pack.method, eventDay: ev.date, eventDayType: input.calendar.dayType(ev.date), dayTypeGroup: null, intervalStarts: ev.intervalStarts, calendarExcludedDays: [], meters };
}
