/**
 * The baseline engine: per meter and 15-minute event interval, the energy (integer Wh) the
 * meter would have used without the event, under one policy pack. Pure and deterministic:
 * the arithmetic is exact and rounded once per figure (README, "Baseline arithmetic").
 * Each step of a method has its own file (baseline-*.ts), the result model is baseline-model.ts;
 * this one picks the method and flattens results into rows.
 */
import type { AdjustmentDetail, BaselineInput, BaselineResult, BaselineStatus } from './baseline-model.js';
import { eventGeometry } from './baseline-geometry.js';
import { likeDaysBaseline } from './baseline-like-days.js';
import { meterBeforeAfterBaseline } from './baseline-meter-before-after.js';
import type { PolicyPack } from './policy-pack.js';

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
