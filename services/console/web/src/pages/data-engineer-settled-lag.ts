import { apiJson } from '../api.js';
import { el, replace, table } from '../dom.js';
import { empty, loading, problemBox } from '../states.js';
import { istTime } from '../time.js';

interface DayLoaded { discomId: string; day: string; reads: number; batches: number; lastReceivedAt: number | null; lastLoadedAt: number | null }
interface Summary { statementId: string; scope: { kind: string }; status: string; run?: string; version: number; updatedAt: string }
interface History { history: { status: string; at: number }[] }

const enc = encodeURIComponent;
const DAYS = 7;

/** A duration as a person reads it: 42 s, 3 min 5 s, 2 h 10 min, 1 d 4 h. */
export function duration(ms: number): string {
  const sign = ms < 0 ? '−' : '';
  let s = Math.round(Math.abs(ms) / 1000);
  if (s < 60) return `${sign}${s} s`;
  const d = Math.floor(s / 86_400); s -= d * 86_400;
  const h = Math.floor(s / 3600); s -= h * 3600;
  const m = Math.floor(s / 60); s -= m * 60;
  if (d > 0) return `${sign}${d} d ${h} h`;
  if (h > 0) return `${sign}${h} h ${m} min`;
  return `${sign}${m} min ${s} s`;
}

/** The last `n` IST days up to yesterday, newest first (YYYY-MM-DD). */
export function lastIstDays(nowMs: number, n: number): string[] {
  return Array.from({ length: n }, (_, i) => new Date(nowMs + 330 * 60_000 - (i + 1) * 86_400_000).toISOString().slice(0, 10));
}

/**
 * Loaded → settled, per settlement day: when its last read was loaded (the loader's receipt
 * of the last batch carrying one, GET /v1/reads/day-loaded), when the day's latest statement
 * run was issued (its first history entry, GET /v1/statements?day= and …/history), and the
 * lag between. A negative lag: reads of the day were loaded after its latest run (a later run
 * settles them).
 */
export async function loadSettledLag(box: HTMLElement, scoped: (q: URLSearchParams) => URLSearchParams, lastDay?: string): Promise<void> {
  replace(box, loading('the loaded → settled lag per day'));
  const days = lastDay ? lastIstDays(Date.parse(`${lastDay}T00:00:00+05:30`) + 86_400_000, DAYS) : lastIstDays(Date.now(), DAYS);
  try {
    const rows = await Promise.all(days.map(async (day) => {
      const [loaded, statements] = await Promise.all([
        apiJson<DayLoaded>(`/v1/reads/day-loaded?${scoped(new URLSearchParams({ day }))}`),
        apiJson<{ statements: Summary[] }>(`/v1/statements?day=${enc(day)}`),
      ]);
      const dayRuns = statements.statements.filter((s) => s.scope.kind === 'DAY');
      let latest: { s: Summary; issuedAt: number } | undefined;
      for (const s of dayRuns) {
        const h = await apiJson<History>(`/v1/statements/${enc(s.statementId)}/history`);
        const issuedAt = h.history[0]?.at;
        if (issuedAt !== undefined && (latest === undefined || issuedAt > latest.issuedAt)) latest = { s, issuedAt };
      }
      return { day, loaded, latest };
    }));
    const shown = rows.filter((r) => r.loaded.reads > 0 || r.latest !== undefined);
    if (shown.length === 0) return replace(box, empty(`No read loaded and no statement issued for ${days.at(-1)} to ${days[0]} (IST).`));
    replace(box, table(['settlement day (IST)', { text: 'reads', num: true }, 'last read loaded', 'latest run', 'issued', { text: 'loaded → settled', num: true }],
      shown.map(({ day, loaded, latest }) => {
        const lag = latest !== undefined && loaded.lastLoadedAt !== null ? latest.issuedAt - loaded.lastLoadedAt : undefined;
        return [el('span', { 'data-lag-day': day }, day), loaded.reads.toLocaleString('en-IN'), loaded.lastLoadedAt === null ? (loaded.reads > 0 ? 'not recorded' : 'no read') : istTime(loaded.lastLoadedAt),
          latest ? el('code', {}, `${latest.s.run ?? `v${latest.s.version}`} (${latest.s.status})`) : 'not settled yet', latest ? istTime(latest.issuedAt) : '—',
          el('span', { 'data-testid': `lag-${day}` }, lag === undefined ? '—' : lag < 0 ? `${duration(-lag)} after the run (not settled yet)` : duration(lag))];
      })),
    el('p', { class: 'hint' }, 'Last read loaded: the loader stored the receipt of the last batch carrying a read of the day. Issued: the latest run of the day (INITIAL, R1, FINAL, …) was computed and signed.'));
  } catch (err) {
    replace(box, problemBox(err));
  }
}
