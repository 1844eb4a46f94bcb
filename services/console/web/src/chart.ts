/**
 * The console's time charts, drawn by uPlot (a small, maintained canvas charting library:
 * https://github.com/leeoniya/uPlot). One figure per chart: its title and unit in the caption,
 * the time axis in IST, a live legend showing each figure with its unit and IST time under
 * the cursor, a summary line per series, and the same figures as a table for screen readers
 * and copying. uPlot styles its elements through the CSSOM (element.style), which the CSP's
 * `style-src 'self'` allows; its stylesheet is bundled with ours (style.css).
 */
import uPlot from 'uplot';
import { el } from './dom.js';
import { istTime } from './time.js';

export const PALETTE = ['#1f5fbf', '#c2410c', '#15803d', '#9333ea', '#b91c1c', '#0e7490', '#a16207', '#4b5563'];

export interface ChartSeries {
  readonly name: string;
  /** One value per x (null: no figure, drawn as a gap). */
  readonly values: readonly (number | null)[];
  /** What the summary line says of the series, e.g. "42 in the window". */
  readonly summary: string;
  readonly dash?: readonly number[];
}

export interface ChartOptions {
  readonly id: string;
  readonly title: string;
  /** The unit of every y value, shown on the axis, in the legend and in the table. */
  readonly unit: string;
  /** UTC epoch ms of each x, ascending. */
  readonly xs: readonly number[];
  readonly series: readonly ChartSeries[];
  /** How each x reads in the caption, e.g. "per 1 min" or "per 15-min interval". */
  readonly xCaption: string;
  /** Step lines: each value holds for `stepMs` from its x (the last one too), rather than points joined. */
  readonly stepped?: { readonly stepMs: number };
  readonly width?: number;
  readonly height?: number;
  /** Add the figures as a table under the chart (default true; false where the page shows its own). */
  readonly figuresTable?: boolean;
}

const IST = 'Asia/Kolkata';
const figureText = (v: number | null | undefined, unit: string) => (v === null || v === undefined ? '—' : `${v.toLocaleString('en-IN', { maximumFractionDigits: 2 })} ${unit}`);

const CLOCK = new Intl.DateTimeFormat('en-GB', { timeZone: IST, hour: '2-digit', minute: '2-digit', hourCycle: 'h23' });
const DAY = new Intl.DateTimeFormat('en-GB', { timeZone: IST, day: '2-digit', month: 'short' });
/** A time tick in IST, 24-hour: HH:MM, or the day when ticks are a day apart. */
const istTick = (ms: number, incrSeconds: number) => (incrSeconds >= 86_400 ? DAY.format(ms) : CLOCK.format(ms));

/** A chart as a <figure id=opts.id class=chart>. */
export function timeSeriesChart(opts: ChartOptions): HTMLElement {
  const figure = el('figure', { id: opts.id, class: 'chart', 'aria-label': `${opts.title} (${opts.unit}, IST)` });
  const plot = el('div', { class: 'chart-plot' });
  // A step line needs the end of its last step as one more x, holding the last value.
  const end = opts.stepped && opts.xs.length > 0 ? [opts.xs.at(-1)! + opts.stepped.stepMs] : [];
  const data = [[...opts.xs, ...end].map((t) => t / 1000), ...opts.series.map((s) => [...s.values, ...end.map(() => s.values.at(-1) ?? null)])] as uPlot.AlignedData;
  const stepped = opts.stepped ? uPlot.paths.stepped!({ align: 1 }) : undefined;
  const chartOpts: uPlot.Options = {
    width: opts.width ?? 560,
    height: opts.height ?? 220,
    tzDate: (ts) => uPlot.tzDate(new Date(ts * 1000), IST),
    scales: { x: { time: true }, y: { range: (_u, _min, max) => [0, max > 0 ? max * 1.1 : 1] } },
    axes: [
      { label: 'IST', labelSize: 20, values: (_u, ticks, _i, _space, incr) => ticks.map((t) => istTick(t * 1000, incr)) },
      { label: opts.unit, labelSize: 20, size: 64, values: (_u, ticks) => ticks.map((v) => v.toLocaleString('en-IN')) },
    ],
    series: [
      { label: 'IST', value: (_u, v) => (v === null ? '—' : istTime(v * 1000)) },
      ...opts.series.map((s, i) => ({
        label: s.name,
        stroke: PALETTE[i % PALETTE.length],
        width: 1.6,
        ...(s.dash ? { dash: [...s.dash] } : {}),
        ...(stepped ? { paths: stepped } : {}),
        points: { show: opts.xs.length <= 120, size: 4 },
        spanGaps: false,
        value: (_u: uPlot, v: number | null) => figureText(v, opts.unit),
      })),
    ],
    cursor: { drag: { x: true, y: false } },
  };
  new uPlot(chartOpts, data, plot);
  const summary = el('ul', { class: 'legend' }, ...opts.series.map((s) => el('li', { 'data-series': s.name }, `${s.name} (${s.summary})`)));
  figure.append(el('figcaption', {}, `${opts.title} — ${opts.unit}, ${opts.xCaption}, IST`), plot, summary);
  if (opts.figuresTable !== false) figure.append(figuresTable(opts));
  return figure;
}

/** The chart's figures as a table (rows with at least one figure), folded under a summary. */
function figuresTable(opts: ChartOptions): HTMLElement {
  const rows = opts.xs.map((t, i) => ({ t, vs: opts.series.map((s) => s.values[i] ?? null) })).filter((r) => r.vs.some((v) => v !== null));
  return el('details', { class: 'chart-figures' },
    el('summary', {}, `Figures (${rows.length} ${rows.length === 1 ? 'row' : 'rows'})`),
    el('table', {},
      el('thead', {}, el('tr', {}, el('th', {}, 'IST'), ...opts.series.map((s) => el('th', { class: 'num' }, `${s.name} (${opts.unit})`)))),
      el('tbody', {}, ...rows.map((r) => el('tr', {}, el('td', {}, istTime(r.t)), ...r.vs.map((v) => el('td', { class: 'num' }, v === null ? '—' : v.toLocaleString('en-IN', { maximumFractionDigits: 2 })))))),
    ));
}
