import { svg } from '../dom.js';
import { istTime } from '../time.js';

/** One line of a plot: Wh per interval (null = no figure), drawn as a step line. */
export interface Series { readonly name: string; readonly values: readonly (number | null)[]; readonly className: string }

/**
 * A small SVG chart of Wh per 15-minute interval (plain SVG, no library: a handful of
 * series over at most a day's 96 intervals). Axes carry their units (Wh, IST); each point
 * has a <title> with its figure; styles come from the stylesheet (the CSP allows no inline style).
 */
export function loadPlot(intervalStarts: readonly number[], series: readonly Series[], title: string): SVGSVGElement {
  const W = 860, H = 300, L = 70, R = 150, T = 24, B = 46;
  const n = intervalStarts.length;
  const all = series.flatMap((s) => s.values.filter((v): v is number => v !== null));
  const max = Math.max(1, ...all);
  const x = (i: number) => L + (i / Math.max(1, n)) * (W - L - R);
  const y = (v: number) => T + (1 - v / max) * (H - T - B);
  const root = svg('svg', { viewBox: `0 0 ${W} ${H}`, class: 'plot', role: 'img', 'aria-label': title });
  root.append(svg('text', { x: L, y: 14, class: 'plot-title' }, title));
  for (let k = 0; k <= 4; k++) {
    const v = Math.round((max * k) / 4);
    root.append(svg('line', { x1: L, x2: W - R, y1: y(v), y2: y(v), class: 'grid' }), svg('text', { x: L - 6, y: y(v) + 4, class: 'tick', 'text-anchor': 'end' }, `${v.toLocaleString('en-IN')}`));
  }
  root.append(svg('text', { x: 12, y: T + (H - T - B) / 2, class: 'axis', transform: `rotate(-90 12 ${T + (H - T - B) / 2})`, 'text-anchor': 'middle' }, 'Wh per interval'));
  const every = Math.max(1, Math.ceil(n / 8));
  for (let i = 0; i < n; i += every) root.append(svg('text', { x: x(i), y: H - B + 16, class: 'tick', 'text-anchor': 'start' }, istTime(intervalStarts[i]!).slice(11, 16)));
  root.append(svg('text', { x: L + (W - L - R) / 2, y: H - 8, class: 'axis', 'text-anchor': 'middle' }, `interval start (IST, ${n > 0 ? istTime(intervalStarts[0]!).slice(0, 10) : ''})`));
  series.forEach((s, k) => {
    let d = '';
    s.values.forEach((v, i) => {
      if (v === null) return;
      const move = i === 0 || s.values[i - 1] === null ? 'M' : 'L';
      d += `${move}${x(i).toFixed(1)},${y(v).toFixed(1)}H${x(i + 1).toFixed(1)}`;
      const dot = svg('circle', { cx: (x(i) + x(i + 1)) / 2, cy: y(v), r: 2.5, class: `dot ${s.className}` });
      dot.append(svg('title', {}, `${s.name}, ${istTime(intervalStarts[i]!)}: ${v.toLocaleString('en-IN')} Wh`));
      root.append(dot);
    });
    root.append(svg('path', { d, class: `line ${s.className}`, 'data-series': s.name }));
    root.append(svg('rect', { x: W - R + 12, y: T + k * 20, width: 14, height: 4, class: `key ${s.className}` }), svg('text', { x: W - R + 32, y: T + k * 20 + 6, class: 'tick' }, s.name));
  });
  return root;
}
