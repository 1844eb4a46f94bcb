/**
 * The data engineer's per-minute charts: series of [minute, value] points laid on the window's
 * buckets (a minute without a point is zero when `zeroFill`, else a gap), drawn by the
 * console's chart (uPlot, IST time axis, the unit on every figure).
 */
import { timeSeriesChart } from '../chart.js';

export interface Series {
  readonly name: string;
  /** [UTC epoch ms of the bucket's start, value] in time order. */
  readonly points: readonly (readonly [number, number])[];
}

/** One chart over [fromMs, toMs) in buckets of bucketMs; the summary per series is its total in the window or its maximum. */
export function timeChart(opts: { id: string; title: string; unit: string; fromMs: number; toMs: number; bucketMs: number; series: readonly Series[]; zeroFill: boolean; legend?: 'total' | 'max' }): HTMLElement {
  const xs: number[] = [];
  for (let t = Math.floor(opts.fromMs / opts.bucketMs) * opts.bucketMs; t < opts.toMs; t += opts.bucketMs) xs.push(t);
  return timeSeriesChart({
    id: opts.id, title: opts.title, unit: opts.unit, xs, xCaption: `per ${opts.bucketMs / 60_000} min`,
    series: opts.series.map((s) => {
      const byBucket = new Map(s.points.map(([t, v]) => [t, v]));
      const values = s.points.map(([, v]) => v);
      return {
        name: s.name,
        values: xs.map((t) => byBucket.get(t) ?? (opts.zeroFill ? 0 : null)),
        summary: opts.legend === 'max' ? `at most ${Math.max(0, ...values).toLocaleString('en-IN')} ${opts.unit}` : `${values.reduce((a, v) => a + v, 0).toLocaleString('en-IN')} in the window`,
      };
    }),
  });
}
