import { apiJson } from '../api.js';
import { el, facts, replace } from '../dom.js';
import { empty, loading, problemBox } from '../states.js';
import { istTime } from '../time.js';
import { timeChart, type Series } from './data-engineer-charts.js';

interface Lag { avg: number; max: number }

interface Activity {
  discomId: string;
  from: number;
  to: number;
  bucketMs: number;
  ingest: { minute: number; batches: number; reads: number; loadedLagMs: Lag | null; notarisedLagMs: Lag | null; storedLagMs: Lag | null }[];
  rejections: { minute: number; code: string; rejections: number }[];
  notaryBacklog: { oldestAcceptedAt: number; waitedMs: number } | null;
}

export const WINDOWS = [['1 h', 3_600_000], ['6 h', 6 * 3_600_000], ['24 h', 24 * 3_600_000]] as const;

const seconds = (ms: number) => `${(ms / 1000).toLocaleString('en-IN', { maximumFractionDigits: 1 })} s`;

/**
 * Intake over time (GET /v1/ingest-activity): batches and reads per minute, dead letters per
 * minute by code, and the stage lags — now (the notary's oldest batch without a receipt) and
 * over the window per minute of intake: intake → notarised (the receipt sent) and notarised →
 * loaded (the receipt stored in ClickHouse). Loaded → settled is per settlement day (data-engineer-settled-lag.ts).
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
  const split = a.ingest.filter((r) => r.notarisedLagMs !== null);
  const last = lagged.at(-1);
  const lastSplit = split.at(-1);
  const meanMax = (l: Lag) => `${seconds(l.avg)} mean, ${seconds(l.max)} max`;
  const perMinute = (pick: (r: Activity['ingest'][number]) => Lag | null, of: 'avg' | 'max') => a.ingest.flatMap((r) => { const l = pick(r); return l === null ? [] : [[r.minute, l[of] / 1000] as const]; });
  replace(lags,
    facts([
      ['ingest → notarised, now', a.notaryBacklog === null ? 'no batch waits for its receipt' : el('span', { 'data-testid': 'notary-backlog' }, `the oldest batch without a receipt was accepted ${istTime(a.notaryBacklog.oldestAcceptedAt)}, ${seconds(a.notaryBacklog.waitedMs)} ago`)],
      ['ingest → notarised', lastSplit ? el('span', { 'data-testid': 'notarised-lag' }, `${meanMax(lastSplit.notarisedLagMs!)} for batches accepted at ${istTime(lastSplit.minute)}`) : 'no batch with a recorded receipt time in the window'],
      ['notarised → loaded', lastSplit?.storedLagMs ? el('span', { 'data-testid': 'stored-lag' }, `${meanMax(lastSplit.storedLagMs)} for batches accepted at ${istTime(lastSplit.minute)}`) : 'no batch with both times recorded in the window'],
      ['ingest → loaded', last ? el('span', { 'data-testid': 'loaded-lag' }, `${meanMax(last.loadedLagMs!)} for batches accepted at ${istTime(last.minute)}`) : 'no batch with a recorded load time in the window'],
      ['loaded → settled', 'per settlement day: the table below'],
    ]),
    lagged.length === 0 ? null : timeChart({ ...common, id: 'chart-lags', title: 'Stage lags by minute of intake', unit: 's', zeroFill: false, legend: 'max', series: [
      { name: 'ingest → notarised (mean)', points: perMinute((r) => r.notarisedLagMs, 'avg') },
      { name: 'notarised → loaded (mean)', points: perMinute((r) => r.storedLagMs, 'avg') },
      { name: 'ingest → loaded (max)', points: perMinute((r) => r.loadedLagMs, 'max') },
    ] }),
  );
}
