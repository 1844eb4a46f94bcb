/**
 * The like-days method (CAISO 10-in-10, PJM high-4-of-5, NYISO, ERCOT, DEG bestOf/outOf):
 * per meter, gather valid like days among the candidates (baseline-candidate-days.ts),
 * screen low usage (baseline-low-usage.ts), select (baseline-selection.ts), average
 * (baseline-averaging.ts) and adjust on the event day (baseline-adjustment.ts).
 */
import { adjustBaseline } from './baseline-adjustment.js';
import { averageHalfEven, sumSelectedDays } from './baseline-averaging.js';
import { candidateDays, CODE_REASON, examineDay, minValidReads, requiredIntervals } from './baseline-candidate-days.js';
import { malformed, MALFORMED, readsOf, windowSum, type DayReads } from './baseline-day-reads.js';
import { windowOf, type EventGeometry, type Window } from './baseline-geometry.js';
import { isLowUsage, lowUsageReference, type LowUsageReference } from './baseline-low-usage.js';
import { selectDays } from './baseline-selection.js';
import type { AdjustmentDetail, BaselineInput, BaselineResult, BaselineStatus, ExcludedDay, MeterBaseline, MeterHistory } from './baseline-model.js';
import { drError } from './codes.js';
import { formatIstTime } from '@ies/units';
import { policyRef, type DayTypeGroup, type LikeDaysPack } from './policy-pack.js';

/** Valid like days a meter gathered: position among the candidates, event-window energy, reads. Reused across meters. */
interface Gathered {
  readonly position: Int32Array;
  readonly energyWh: Float64Array;
  readonly reads: DayReads[];
}

interface Context {
  readonly pack: LikeDaysPack;
  readonly policy: string;
  readonly input: BaselineInput;
  readonly ev: EventGeometry;
  readonly group: DayTypeGroup;
  readonly potential: readonly string[];
  readonly calendarExcludedCount: number;
  readonly window: Window | null;
  readonly required: Int32Array;
  readonly minValid: number;
  readonly gathered: Gathered;
  readonly order: Int32Array;
  readonly sums: Float64Array;
}

export function likeDaysBaseline(pack: LikeDaysPack, input: BaselineInput, ev: EventGeometry): BaselineResult {
  const p = pack.parameters;
  const policy = policyRef(pack);
  const eventDayType = input.calendar.dayType(ev.date);
  const group = p.dayTypeGroups.find((g) => g.dayTypes.includes(eventDayType));
  if (!group) throw drError('IES_ERR_DR_INPUT_INVALID', `${policy} has no day-type group for ${eventDayType}`, { policy });
  const { potential, calendarExcludedDays } = candidateDays(p, group, input.calendar, ev.dayIndex, input.eventDays ?? []);
  const adjustment = p.adjustment;
  const window = adjustment.type === 'NONE' ? null : windowOf(ev, adjustment.windowStartOffsetMinutes, adjustment.windowEndOffsetMinutes, policy, input.eventStart);
  const n = potential.length;
  const ctx: Context = {
    pack, policy, input, ev, group, potential, calendarExcludedCount: calendarExcludedDays.length, window,
    required: requiredIntervals(ev, window),
    minValid: minValidReads(p.minValidReadsPercent),
    gathered: { position: new Int32Array(n), energyWh: new Float64Array(n), reads: new Array<DayReads>(n) },
    order: new Int32Array(n),
    sums: new Float64Array(ev.count),
  };
  const meters: MeterBaseline[] = new Array<MeterBaseline>(input.meters.length);
  for (let m = 0; m < input.meters.length; m++) meters[m] = meterBaseline(ctx, input.meters[m]!);
  return { policy, method: pack.method, eventDay: ev.date, eventDayType, dayTypeGroup: group.name, intervalStarts: ev.intervalStarts, calendarExcludedDays, meters };
}

/**
 * Gathers up to Y valid like days, most recent first. Phase 1 takes them as they come;
 * with a low-usage rule, phase 2 drops the low-usage ones (against the phase-1 reference)
 * and replaces them with older valid days tested against the same reference.
 */
function gather(ctx: Context, meter: MeterHistory, excludedDays: ExcludedDay[]): number {
  const { group, potential, gathered: g, ev } = ctx;
  let found = 0;
  let cursor = 0;
  let ref: LowUsageReference | null = null;
  for (let phase = 1; phase <= 2; phase++) {
    while (found < group.candidateDays && cursor < potential.length) {
      const position = cursor++;
      const date = potential[position]!;
      if (meter.eventDays !== undefined && meter.eventDays.includes(date)) {
        excludedDays.push({ day: date, reason: 'EVENT_DAY' });
        continue;
      }
      const reads = readsOf(meter.days, date);
      const energy = examineDay(reads, ctx.minValid, ctx.required, ev.first, ev.count);
      if (energy === MALFORMED) malformed(meter.meterId, date, reads!);
      if (energy < 0) {
        excludedDays.push({ day: date, reason: CODE_REASON[energy]! });
        continue;
      }
      if (ref !== null && isLowUsage(energy, group.lowUsage!, ref)) {
        excludedDays.push({ day: date, reason: 'LOW_USAGE' });
        continue;
      }
      g.position[found] = position;
      g.energyWh[found] = energy;
      g.reads[found] = reads!;
      found++;
    }
    if (phase === 2 || group.lowUsage === null || found === 0) break;
    ref = lowUsageReference(group.lowUsage, g.energyWh, found);
    let kept = 0;
    for (let i = 0; i < found; i++) {
      if (isLowUsage(g.energyWh[i]!, group.lowUsage, ref)) {
        excludedDays.push({ day: potential[g.position[i]!]!, reason: 'LOW_USAGE' });
        continue;
      }
      g.position[kept] = g.position[i]!;
      g.energyWh[kept] = g.energyWh[i]!;
      g.reads[kept] = g.reads[i]!;
      kept++;
    }
    found = kept;
  }
  return found;
}

function meterBaseline(ctx: Context, meter: MeterHistory): MeterBaseline {
  const { ev, group, gathered: g, window, input } = ctx;
  const excludedDays: ExcludedDay[] = [];
  const found = gather(ctx, meter, excludedDays);
  const likeDays: string[] = new Array<string>(found);
  for (let i = 0; i < found; i++) likeDays[i] = ctx.potential[g.position[i]!]!;

  if (found < group.minCandidateDays) {
    const nulls = new Array<null>(ev.count).fill(null);
    return {
      meterId: meter.meterId,
      status: 'INSUFFICIENT_HISTORY',
      detail: `found ${found} valid ${group.name} like day(s) in the ${ctx.pack.parameters.lookbackDays}-day lookback, ${ctx.policy} needs at least ${group.minCandidateDays} (wants ${group.candidateDays}); ${excludedDays.length + ctx.calendarExcludedCount} excluded`,
      likeDays,
      selectedDays: [],
      excludedDays,
      adjustment: null,
      unadjustedWh: nulls,
      baselineWh: nulls,
    };
  }

  const { from, to } = selectDays(group.selection, g.energyWh, g.position, found, ctx.order);
  const chosen = new Uint8Array(found);
  const selectedReads: DayReads[] = [];
  for (let k = from; k < to; k++) {
    chosen[ctx.order[k]!] = 1;
    selectedReads.push(g.reads[ctx.order[k]!]!);
  }
  const selectedDays = likeDays.filter((_, i) => chosen[i] === 1);
  const windowSelected = sumSelectedDays(selectedReads, ev.first, ctx.sums, window);
  const unadjustedWh = averageHalfEven(ctx.sums, to - from);

  let status: BaselineStatus = 'OK';
  let detail: string | null = null;
  let baselineWh: (number | null)[] = unadjustedWh;
  let adjustment: AdjustmentDetail | null = { type: 'NONE' };
  const rule = ctx.pack.parameters.adjustment;
  if (rule.type !== 'NONE' && window) {
    const eventReads = readsOf(meter.days, ev.date);
    const actual = eventReads === undefined ? -1 : windowSum(eventReads, window);
    if (actual === MALFORMED) malformed(meter.meterId, ev.date, eventReads!);
    if (actual < 0) {
      status = 'ADJUSTMENT_DATA_MISSING';
      detail = `event day ${ev.date} has ${eventReads === undefined ? 'no reads' : 'a missing read'} in the adjustment window ${formatIstTime(input.eventStart + rule.windowStartOffsetMinutes * 60_000)}–${formatIstTime(input.eventStart + rule.windowEndOffsetMinutes * 60_000)}`;
      baselineWh = new Array<null>(ev.count).fill(null);
      adjustment = null;
    } else {
      const adjusted = adjustBaseline(rule, { sums: ctx.sums, days: to - from, windowActualWh: actual, windowSelectedSumWh: windowSelected, windowIntervals: window.count });
      baselineWh = adjusted.baselineWh;
      adjustment = adjusted.detail;
    }
  }
  return { meterId: meter.meterId, status, detail, likeDays, selectedDays, excludedDays, adjustment, unadjustedWh, baselineWh };
}
