/**
 * Small SVG time charts for the data engineer's page, written here rather than pulled in: a
 * few lines per minute need no library, and the CSP (no inline style) is met by using SVG
 * presentation attributes only. The x axis is IST wall time; every chart names its unit.
 */
import { svg } from '../dom.js';

const W = 560;
const H = 180;
const PAD = { left: 56, right: 12, top: 12, bottom: 28 };
export const PALETTE = ['#1f5fbf', '#c2410c', '#15803d', '#9333ea', '#b91c1c', '#0e7490', '#a16207', '#4b5563'];

export interface Series {
  readonly name: string;
  /** [UTC epoch ms, value] in time order. */
  readonly points: readonly (readonly [number, number])[];
}

const istClock = (ms: number) => new Intl.DateTimeFormat('en-GB', { timeZone: 'Asia/Kolkata', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).format(new Date(ms));

/** A round step near span / 4 (1, 2 or 5 × 10^n). */
function niceStep(span: number): number {
  const raw = Math.max(span / 4, 1e-9);
  const pow = 10 ** Math.floor(Math.log10(raw));
  return ([1, 2, 5, 10].find((m) => m * pow >= raw) ?? 10) * pow;
}

/**
 * One chart: a line per series over [fromMs, toMs), with points at each bucket (minutes
 * without a point are zero when `zeroFill`, else gaps). Returns a <figure> with the legend
 * and the unit in its caption.
 */
export function timeChart(opts: { id: string; title: string; unit: string; fromMs: number; toMs: number; bucketMs: number; series: readonly Series[]; zeroFill: boolean; legend?: 'total' | 'max' }): HTMLElement {
  const { fromMs, toMs, bucketMs } = opts;
  const max = Math.max(1, ...opts.series.flatMap((s) => s.points.map(([, v]) => v)));
  const step = niceStep(max);
  const top = Math.ceil(max / step) * step;
  const x = (t: number) => PAD.left + ((t - fromMs) / (toMs - fromMs)) * (W - PAD.left - PAD.right);
  const y = (v: number) => H - PAD.bottom - (v / top) * (H - PAD.top - PAD.bottom);
  const root = svg('svg', { viewBox: `0 0 ${W} ${H}`, width: W, height: H, role: 'img', 'aria-label': `${opts.title} (${opts.unit})` });
  for (let v = 0; v <= top + 1e-9; v += step) {
    root.append(svg('line', { x1: PAD.left, x2: W - PAD.right, y1: y(v), y2: y(v), stroke: '#e3e7ee' }));
    root.append(svg('text', { x: PAD.left - 6, y: y(v) + 4, 'text-anchor': 'end', 'font-size': 10, fill: '#52607a' }, v.toLocaleString('en-IN')));
  }
  const tickEvery = niceMinutes((toMs - fromMs) / 60_000 / 6) * 60_000;
  for (let t = Math.ceil(fromMs / tickEvery) * tickEvery; t < toMs; t += tickEvery) {
    root.append(svg('line', { x1: x(t), x2: x(t), y1: H - PAD.bottom, y2: H - PAD.bottom + 4, stroke: '#8a94a6' }));
    root.append(svg('text', { x: x(t), y: H - 8, 'text-anchor': 'middle', 'font-size': 10, fill: '#52607a' }, istClock(t)));
  }
  root.append(svg('line', { x1: PAD.left, x2: W - PAD.right, y1: H - PAD.bottom, y2: H - PAD.bottom, stroke: '#8a94a6' }));
  opts.series.forEach((s, i) => {
    const colour = PALETTE[i % PALETTE.length] as string;
    const byBucket = new Map(s.points.map(([t, v]) => [t, v]));
    const pts: [number, number][] = [];
    for (let t = Math.floor(fromMs / bucketMs) * bucketMs; t < toMs; t += bucketMs) {
      const v = byBucket.get(t) ?? (opts.zeroFill ? 0 : undefined);
      if (v !== undefined) pts.push([x(t + bucketMs / 2), y(v)]);
    }
    if (pts.length > 0) root.append(svg('polyline', { points: pts.map(([a, b]) => `${a.toFixed(1)},${b.toFixed(1)}`).join(' '), fill: 'none', stroke: colour, 'stroke-width': 1.6 }));
    for (const [t, v] of s.points) {
      const dot = svg('circle', { cx: x(t + bucketMs / 2), cy: y(v), r: 2.4, fill: colour });
      dot.append(svg('title', {}, `${s.name}: ${v.toLocaleString('en-IN')} ${opts.unit} at ${istClock(t)} IST`));
      root.append(dot);
    }
  });
  const legend = document.createElement('ul');
  legend.className = 'legend';
  opts.series.forEach((s, i) => {
    const li = document.createElement('li');
    const swatch = svg('svg', { width: 10, height: 10 });
    swatch.append(svg('rect', { width: 10, height: 10, fill: PALETTE[i % PALETTE.length] as string }));
    const values = s.points.map(([, v]) => v);
    const figure = opts.legend === 'max' ? `at most ${Math.max(0, ...values).toLocaleString('en-IN')} ${opts.unit}` : `${values.reduce((a, v) => a + v, 0).toLocaleString('en-IN')} in the window`;
    li.append(swatch, ` ${s.name} (${figure})`);
    legend.append(li);
  });
  const figure = document.createElement('figure');
  figure.id = opts.id;
  figure.className = 'chart';
  const caption = document.createElement('figcaption');
  caption.textContent = `${opts.title} — ${opts.unit}, per ${bucketMs / 60_000} min, IST`;
  figure.append(caption, root, legend);
  return figure;
}

function niceMinutes(m: number): number {
  return [1, 2, 5, 10, 15, 30, 60, 120, 180, 360].find((n) => n >= m) ?? 720;
}
