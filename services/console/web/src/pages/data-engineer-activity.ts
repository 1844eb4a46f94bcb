import { apiJson } from '../api.js';
import { el, facts, replace } from '../dom.js';
import { empty, loading, problemBox } from '../states.js';
import { istTime } from '../time.js';
import { timeChart, type Series } from './data-engineer-charts.js';

interface Activity {
  discomId: string;
  from: number;
  to: number;
  bucketMs: number;
  ingest: { minute: number; batches: number; reads: number; loadedLagMs: { avg: number; max: number } | null }[];
  rejections: { minute: number; code: string; rejections: number }[];
  notaryBacklog: { oldestAcceptedAt: number; waitedMs: number } | null;
}

export const WINDOWS = [['1 h', 3_600_000], ['6 h', 6 * 3_600_000], ['24 h', 24 * 3_600_000]] as const;

const seconds = (ms: number) => `${(ms / 1000).toLocaleString('en-IN', { maximumFractionDigits: 1 })} s`;

/**
 * Intake over time (GET /v1/ingest-activity): batches and reads per minute, dead letters per
 * minute by code, and the stage lags — now (the notary's oldest batch without a receipt) and
 * over the window (intake → receipt stored in ClickHouse, i.e. notarised and loaded).
 */
export async function loadActivity(charts: HTMLElement, lags: HTMLElement, scoped: (q: URLSearchParams) => URLSearchParams, windowMs: number): Promise<void> {
  replace(charts, loading('intake per minute'));
  replace(lags, loading('stage lags'));
  const to = Math.ceil(Date.now() / 60_000) * 60_000;
  const q = scoped(new URLSearchParams({ from: String(to - windowMs), to: String(to) }));
  let a: Activity;
  try {
    a = await apiJson<Activity>(`/v1/ingest-activity?${q}`);
  } catch (err) {
    replace(charts, problemBox(err));
    replace(lags, problemBox(err));
    return;
  }
  const common = { fromMs: a.from, toMs: a.to, bucketMs: a.bucketMs };
  const codes = [...new Set(a.rejections.map((r) => r.code))].sort();
  const byCode: Series[] = codes.map((code) => ({ name: code, points: a.rejections.filter((r) => r.code === code).map((r) => [r.minute, r.rejections] as const) }));
  replace(charts,
    a.ingest.length === 0 && a.rejections.length === 0 ? empty(`No batch or dead letter of ${a.discomId} between ${istTime(a.from)} and ${istTime(a.to)}.`) : null,
    timeChart({ ...common, id: 'chart-batches', title: 'Batches notarised', unit: 'batches/min', zeroFill: true, series: [{ name: 'batches', points: a.ingest.map((r) => [r.minute, r.batches] as const) }] }),
    timeChart({ ...common, id: 'chart-reads', title: 'Reads in those batches', unit: 'reads/min', zeroFill: true, series: [{ name: 'reads', points: a.ingest.map((r) => [r.minute, r.reads] as const) }] }),
    timeChart({ ...common, id: 'chart-rejections', title: 'Rejections by code', unit: 'dead letters/min', zeroFill: true, series: byCode.length > 0 ? byCode : [{ name: 'none', points: [] }] }),
  );
  const lagged = a.ingest.filter((r) => r.loadedLagMs !== null);
  const last = lagged.at(-1);
  replace(lags,
    facts([
      ['ingest → notarised, now', a.notaryBacklog === null ? 'no batch waits for its receipt' : el('span', { 'data-testid': 'notary-backlog' }, `the oldest batch without a receipt was accepted ${istTime(a.notaryBacklog.oldestAcceptedAt)}, ${seconds(a.notaryBacklog.waitedMs)} ago`)],
      ['ingest → notarised and loaded', last ? el('span', { 'data-testid': 'loaded-lag' }, `${seconds(last.loadedLagMs!.avg)} mean, ${seconds(last.loadedLagMs!.max)} max for batches accepted at ${istTime(last.minute)}`) : 'no batch with a recorded load time in the window'],
      ['loaded → settled', 'per settlement day: see the settlement pages (statements by day and run)'],
    ]),
    lagged.length === 0 ? null : timeChart({ ...common, id: 'chart-lags', title: 'Ingest → receipt stored (notarised, then loaded)', unit: 's', zeroFill: false, legend: 'max', series: [
      { name: 'mean', points: lagged.map((r) => [r.minute, r.loadedLagMs!.avg / 1000] as const) },
      { name: 'max', points: lagged.map((r) => [r.minute, r.loadedLagMs!.max / 1000] as const) },
    ] }),
  );
}
