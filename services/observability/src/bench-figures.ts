import { appendFileSync, mkdirSync, readFileSync, existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/**
 * One figure a benchmark measured, with the ceiling it is judged against (measured in the same
 * run) and the target for the ratio. `npm run bench` collects them into one table.
 */
export interface BenchFigure {
  readonly stage: string;
  /** What was measured, e.g. "notarised reads/s". */
  readonly metric: string;
  readonly value: number;
  readonly unit: string;
  /** The ceiling measured in the same run, in the same unit; null when the target is absolute. */
  readonly ceiling: number | null;
  /** What the ceiling is, e.g. "raw kafkajs produce". */
  readonly ceilingLabel?: string;
  /** The target: a ratio (value/ceiling ≥ target) when there is a ceiling, else a bound on value. */
  readonly target: { readonly kind: 'ratio-at-least' | 'at-most' | 'at-least'; readonly value: number } | null;
}

export interface RecordedFigure extends BenchFigure {
  readonly ratio: number | null;
  readonly met: boolean | null;
  readonly at: string;
  readonly machine: string;
}

/** Where figures go: $IES_BENCH_FIGURES, else .bench/figures.jsonl under the working directory. */
export function benchFiguresPath(env: NodeJS.ProcessEnv = process.env): string {
  return env.IES_BENCH_FIGURES ?? path.join(process.cwd(), '.bench', 'figures.jsonl');
}

export function machineLine(): string {
  const cpus = os.cpus();
  return `${cpus.length} CPU(s) ${cpus[0]?.model ?? '?'}, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB, load ${os.loadavg().map((l) => l.toFixed(2)).join(' ')}, Node ${process.version}`;
}

/** Judges a figure against its target: the ratio (when there is a ceiling) and met or not. */
export function judge(f: BenchFigure): { ratio: number | null; met: boolean | null } {
  const ratio = f.ceiling ? f.value / f.ceiling : null;
  if (!f.target) return { ratio, met: null };
  switch (f.target.kind) {
    case 'ratio-at-least': return { ratio, met: ratio === null ? null : ratio >= f.target.value };
    case 'at-most': return { ratio, met: f.value <= f.target.value };
    case 'at-least': return { ratio, met: f.value >= f.target.value };
  }
}

/** Appends one figure (one JSON line) for the summary table; never throws into the bench. */
export function recordBenchFigure(f: BenchFigure, env: NodeJS.ProcessEnv = process.env): RecordedFigure {
  const recorded: RecordedFigure = { ...f, ...judge(f), at: new Date().toISOString(), machine: machineLine() };
  try {
    const file = benchFiguresPath(env);
    mkdirSync(path.dirname(file), { recursive: true });
    appendFileSync(file, `${JSON.stringify(recorded)}\n`);
  } catch (err) {
    console.error(`bench figures: could not record ${f.stage}/${f.metric}: ${(err as Error).message}`);
  }
  return recorded;
}

/** The figures recorded since `since` (ISO time), the last one per stage and metric. */
export function readBenchFigures(file: string, since = ''): RecordedFigure[] {
  if (!existsSync(file)) return [];
  const last = new Map<string, RecordedFigure>();
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    if (!line.trim()) continue;
    const f = JSON.parse(line) as RecordedFigure;
    if (f.at >= since) last.set(`${f.stage}\u0000${f.metric}`, f);
  }
  return [...last.values()];
}
