/**
 * The baseline's result model: what a baseline computation takes and gives, per meter and
 * 15-minute event interval, with the days it excluded and why. Every step file and the
 * engine (baseline.ts) share it.
 */
import type { DayType, HolidayCalendar } from './calendar.js';
import type { MeterDays } from './baseline-day-reads.js';
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
