#!/usr/bin/env node
// The one table `npm run bench` ends with: every figure the benches recorded since
// $IES_BENCH_SINCE (ISO time; default: all), judged against its ceiling and target.
import { benchFiguresPath, machineLine, readBenchFigures, type RecordedFigure } from '@ies/observability';

const fmt = (n: number | null, digits = 0): string => (n === null ? '—' : n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits }));
const digitsFor = (n: number): number => (Math.abs(n) >= 100 ? 0 : Math.abs(n) >= 1 ? 2 : 3);

function targetText(f: RecordedFigure): string {
  if (!f.target) return '—';
  if (f.target.kind === 'ratio-at-least') return `ratio ≥ ${f.target.value}`;
  return `${f.target.kind === 'at-most' ? '≤' : '≥'} ${fmt(f.target.value, digitsFor(f.target.value))} ${f.unit}`;
}

const file = benchFiguresPath();
const figures = readBenchFigures(file, process.env.IES_BENCH_SINCE ?? '');
const rows = figures.map((f) => [
  f.stage, f.metric, `${fmt(f.value, digitsFor(f.value))} ${f.unit}`,
  f.ceiling === null ? '—' : `${fmt(f.ceiling, digitsFor(f.ceiling))}${f.ceilingLabel ? ` (${f.ceilingLabel})` : ''}`,
  f.ratio === null ? '—' : f.ratio.toFixed(2), targetText(f), f.met === null ? '—' : f.met ? 'met' : 'NOT met',
]);
const head = ['stage', 'figure', 'value', 'ceiling (same run)', 'ratio', 'target', 'result'];
const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
const line = (cells: string[]): string => `| ${cells.map((c, i) => c.padEnd(widths[i]!)).join(' | ')} |`;
console.log(`\nbench summary: ${machineLine()}`);
console.log(`figures from ${file}${process.env.IES_BENCH_SINCE ? ` since ${process.env.IES_BENCH_SINCE}` : ''}\n`);
console.log(line(head));
console.log(`|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`);
for (const r of rows) console.log(line(r));
if (rows.length === 0) console.log('(no figures recorded: run the benches first)');
