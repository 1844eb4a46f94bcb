import { timeSeriesChart } from '../chart.js';

/** One line of a plot: Wh per interval (null = no figure). */
export interface Series { readonly name: string; readonly values: readonly (number | null)[]; readonly dash?: readonly number[] }

/**
 * Baseline, metered and delivered Wh per 15-minute interval as step lines (a figure holds for
 * its interval), on the console's chart (uPlot, IST axis, Wh on every figure). The page shows
 * the figures in its own table, so the chart adds none.
 */
export function loadPlot(intervalStarts: readonly number[], series: readonly Series[], title: string): HTMLElement {
  return timeSeriesChart({
    id: 'load-chart', title, unit: 'Wh', xs: intervalStarts, xCaption: 'per 15-min interval', stepped: { stepMs: 15 * 60_000 }, width: 860, height: 300, figuresTable: false,
    series: series.map((s) => {
      const known = s.values.filter((v): v is number => v !== null);
      return { ...s, summary: known.length === 0 ? 'no figure yet' : `${known.reduce((a, v) => a + v, 0).toLocaleString('en-IN')} Wh over ${known.length} intervals` };
    }),
  });
}
