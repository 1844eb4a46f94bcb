/**
 * The baseline engine: per meter and 15-minute event interval, the energy (integer Wh) the
 * meter would have used without the event, under one policy pack. Pure and deterministic:
 * the arithmetic is exact and rounded once per figure (README, "Baseline arithmetic").
 * Each step of a method has its own file (baseline-*.ts); this one holds the result model.
 */
import type { DayType, HolidayCalendar } from './calendar.js';
import type { MeterDays } from './baseline-day-reads.js';
import { eventGeometry } from './baseline-geometry.js';
import { likeDaysBaseline } from './baseline-like-days.js';
import { meterBeforeAfterBaseline } from './baseline-meter-before-after.js';
import type { PolicyPack } from './policy-pack.js';

export interface MeterHistory {
  readonly meterId: string;
  /** IST date → reads. Include the event day itself when the method adjusts on it. */
  readonly days: MeterDays;
  /** Prior DR event days of this meter (IST dates), excluded as like days. */
  readonly eventDays?: readonly string[];
}

export interface BaselineInput {
  /** UTC epoch ms, on 15-minute boundaries, end exclusive, within one IST day. */
  readonly eventStart: number;
  readonly eventEnd: number;
  readonly calendar: HolidayCalendar;
  /** Prior DR event days that exclude a like day for every meter. */
  readonly eventDays?: readonly string[];
  readonly meters: readonly MeterHistory[];
}

export type BaselineStatus = 'OK' | 'INSUFFICIENT_HISTORY' | 'ADJUSTMENT_DATA_MISSING';
export type ExclusionReason = 'HOLIDAY' | 'EVENT_DAY' | 'NO_READS' | 'TOO_FEW_VALID_READS' | 'MISSING_REQUIRED_READS' | 'LOW_USAGE';

export interface ExcludedDay {
  readonly day: string;
  readonly reason: ExclusionReason;
}

export type AdjustmentDetail =
  | { readonly type: 'NONE' }
  | {
      readonly type: 'MULTIPLICATIVE';
      /** A: event-day energy in the adjustment window. */
      readonly windowActualWh: number;
      /** T: energy of the selected days in the window, summed over days (= N × baseline window energy). */
      readonly windowSelectedSumWh: number;
      /** Ratio applied, as a fraction: A×N / T, or the cap min/100 or max/100. */
      readonly ratioNumerator: number;
      readonly ratioDenominator: number;
      readonly bound: 'NONE' | 'MIN' | 'MAX';
    }
  | {
      readonly type: 'ADDITIVE';
      readonly windowActualWh: number;
      readonly windowSelectedSumWh: number;
      /** Wh added to every event interval, as a fraction: (A×N − T) / (N×W). */
      readonly offsetNumerator: number;
      readonly offsetDenominator: number;
    };

export interface MeterBaseline {
  readonly meterId: string;
  readonly status: BaselineStatus;
  /** Why the status is not OK, in words with the numbers; null when OK. */
  readonly detail: string | null;
  /** Valid like days gathered (most recent first), before selection. */
  readonly likeDays: readonly string[];
  /** Days averaged (most recent first). Meter-before/after: the event day. */
  readonly selectedDays: readonly string[];
  /** Meter-specific exclusions (the shared ones are on the result). */
  readonly excludedDays: readonly ExcludedDay[];
  /** How the event-day adjustment was applied; null when it could not be (see status). */
  readonly adjustment: AdjustmentDetail | null;
  /** Per event interval; null when the status does not allow a figure. */
  readonly unadjustedWh: readonly (number | null)[];
  readonly baselineWh: readonly (number | null)[];
}

export interface BaselineResult {
  readonly policy: string;
  readonly method: PolicyPack['method'];
  readonly eventDay: string;
  readonly eventDayType: DayType;
  /** Name of the day-type group used (LIKE_DAYS), null for meter-before/after. */
  readonly dayTypeGroup: string | null;
  readonly intervalStarts: readonly number[];
  /** Holidays and shared prior event days that removed a like day, for every meter. */
  readonly calendarExcludedDays: readonly ExcludedDay[];
  readonly meters: readonly MeterBaseline[];
}
export function computeBaseline(pack: PolicyPack, input: BaselineInput): BaselineResult {
  const ev = eventGeometry(input.eventStart, input.eventEnd);
  return pack.method === 'LIKE_DAYS' ? likeDaysBaseline(pack, input, ev) : meterBeforeAfterBaseline(pack, input, ev);
}

/** One row per meter and event interval (the shape of a `baselines.v1` record). */
export interface BaselineRow {
  readonly policy: string;
  readonly meterId: string;
  readonly intervalStart: number;
  readonly status: BaselineStatus;
  readonly unadjustedWh: number | null;
  readonly baselineWh: number | null;
  readonly selectedDays: readonly string[];
  readonly adjustment: AdjustmentDetail | null;
}

export function baselineRows(result: BaselineResult): BaselineRow[] {
  const rows: BaselineRow[] = [];
  for (const m of result.meters) {
    result.intervalStarts.forEach((intervalStart, j) => {
      rows.push({ policy: result.policy, meterId: m.meterId, intervalStart, status: m.status, unadjustedWh: m.unadjustedWh[j]!, baselineWh: m.baselineWh[j]!, selectedDays: m.selectedDays, adjustment: m.adjustment });
    });
  }
  return rows;
}
