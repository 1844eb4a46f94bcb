import { formatRupees } from '@ies/units';
import { Problem, apiGet, apiJson } from '../api.js';
import { el, facts, replace, table } from '../dom.js';
import { currentSession } from '../session.js';
import { empty, loading, problemBox } from '../states.js';
import { istTime, plural } from '../time.js';
import { loadPlot } from './aggregator-plot.js';

interface Transition { state: string; version: number; at: number; by: string; reason: string | null }
interface EventSummary { eventId: string; programmeId: string; aggregatorId: string; state: string; version: number; start: number; end: number; eventDay: string; meterCount?: number; history: Transition[] }
interface Load { eventId: string; state: string; intervalStarts: number[]; performanceVersion: number | null; total: Series; meters: (Series & { meterId: string })[] }
interface Series { baselineWh: (number | null)[]; usageWh: (number | null)[]; deliveredWh: (number | null)[] }
interface Performance { version: number; complete: boolean; computedAtMs: number; totals: { deliveredWh: number; offeredWh: number; eligibleWh: number; shortfallWh: number; paymentPaise: number; penaltyPaise: number; netPaise: number } }

const enc = encodeURIComponent;
const kwh = (v: number) => `${v.toLocaleString('en-IN')} Wh`;

/**
 * The aggregator's page: its programmes and DR events (GET /v1/dr/events) with each event's
 * lifecycle timeline, and per event a plot of baseline vs metered load per interval (GET
 * /v1/dr/events/{id}/load; whole event, or one meter on selection) with the delivered,
 * offered, payment and penalty of its measured performance; a revised measurement is marked.
 */
export function aggregatorPage(root: HTMLElement, query: URLSearchParams): void {
  if (!currentSession()) {
    replace(root, el('h1', {}, 'Aggregator'), el('section', {}, empty('Sign in as an aggregator (or the DISCOM) to see DR programmes and events.'), el('a', { href: '#/sign-in' }, 'Sign in')));
    return;
  }
  const programmes = el('div', { id: 'programmes' });
  const events = el('div', { id: 'events' });
  const detail = el('div', { id: 'event' });
  const programme = query.get('programme');

  const loadEvents = async () => {
    replace(events, loading('DR events'));
    try {
      const r = await apiJson<{ discomId: string; programmes: { programmeId: string; events: number }[]; events: EventSummary[] }>(`/v1/dr/events${programme ? `?programmeId=${enc(programme)}` : ''}`);
      replace(programmes, r.programmes.length === 0 ? empty(`No programme with events in ${r.discomId} yet.`) : table(['programme', { text: 'events', num: true }],
        r.programmes.map((p) => [el('a', { href: `#/aggregator?programme=${enc(p.programmeId)}` }, p.programmeId), plural(p.events, 'event')])));
      if (r.events.length === 0) return replace(events, empty(programme ? `No event in ${programme}.` : 'No DR event yet.'));
      replace(events, table(['event', 'programme', 'aggregator', 'window (IST)', { text: 'meters', num: true }, 'state', 'lifecycle'],
        r.events.map((e) => [el('a', { href: `#/aggregator?${programme ? `programme=${enc(programme)}&` : ''}event=${enc(e.eventId)}`, 'data-event': e.eventId }, e.eventId), e.programmeId, e.aggregatorId,
          `${istTime(e.start)} – ${istTime(e.end).slice(11)}`, e.meterCount === undefined ? '—' : String(e.meterCount), el('span', { class: `status ${e.state}` }, e.state), timeline(e.history)])));
    } catch (err) {
      replace(events, problemBox(err));
      replace(programmes);
    }
  };

  const showEvent = async (eventId: string) => {
    replace(detail, el('section', {}, loading(`DR event ${eventId}`)));
    const plot = el('div', { id: 'load-plot' });
    const meterSel = el('select', { id: 'plot-meter' }, el('option', { value: '' }, 'whole event (sum of meters)'));
    const figures = el('div', { id: 'event-figures' });
    try {
      const e = await apiJson<EventSummary & { event: { intervals: { intervalStart: number; offeredWh: number | null; pricePaisePerKwh: number; shortfallPenaltyPaisePerKwh: number }[]; methodology: { ref: string } } }>(`/v1/dr/events/${enc(eventId)}`);
      const perf = await apiGet(`/v1/dr/events/${enc(eventId)}/performance`).then(async (r) => (r.status === 200 ? ((await r.json()) as Performance) : undefined)).catch((err: unknown) => {
        if (err instanceof Problem && err.code === 'IES_ERR_NOT_FOUND') return undefined;
        throw err;
      });
      const offered = e.event.intervals.reduce((t, i) => t + (i.offeredWh ?? 0), 0);
      replace(figures, facts([
        ['state', el('span', { class: `status ${e.state}` }, e.state)],
        ['methodology', e.event.methodology.ref],
        ['offered', kwh(offered)],
        ...(perf ? [
          ['measured', el('span', { 'data-testid': 'perf-version' }, `version ${perf.version}${perf.version > 1 ? ' (revised: later reads changed the figures)' : ''}, ${istTime(perf.computedAtMs)}${perf.complete ? '' : ', incomplete (a meter lacked a baseline or reads)'}`)],
          ['delivered', el('span', { 'data-testid': 'perf-delivered' }, kwh(perf.totals.deliveredWh))],
          ['eligible / shortfall', `${kwh(perf.totals.eligibleWh)} / ${kwh(perf.totals.shortfallWh)}`],
          ['payment', el('span', { 'data-testid': 'perf-payment' }, formatRupees(perf.totals.paymentPaise))],
          ['penalty', formatRupees(perf.totals.penaltyPaise)],
          ['net', formatRupees(perf.totals.netPaise)],
        ] as [string, Node | string][] : [['measured', 'not yet (measured after the window closes and its reads arrive)'] as [string, string]]),
      ]));
      const draw = async (meter: string) => {
        replace(plot, loading('the load'));
        try {
          const l = await apiJson<Load>(`/v1/dr/events/${enc(eventId)}/load${meter ? `?meter=${enc(meter)}` : ''}`);
          if (meterSel.options.length === 1) for (const m of l.meters) meterSel.append(el('option', { value: m.meterId }, m.meterId));
          const s = meter ? l.meters[0]! : l.total;
          const what = meter ? `meter ${meter}` : `whole event (${plural(l.meters.length, 'meter')})`;
          replace(plot,
            loadPlot(l.intervalStarts, [{ name: 'baseline', values: s.baselineWh }, { name: 'metered', values: s.usageWh }, { name: 'delivered', values: s.deliveredWh, dash: [4, 3] }], `${eventId}: ${what}`),
            el('p', { class: 'hint', 'data-testid': 'plot-caption' }, `${what}; baseline ${opt(sum(s.baselineWh))}, metered ${opt(sum(s.usageWh))}, delivered ${opt(sum(s.deliveredWh))}${l.performanceVersion !== null && l.performanceVersion > 1 ? ` (measurement version ${l.performanceVersion}, revised)` : ''}.`),
            table(['interval (IST)', { text: 'baseline', num: true }, { text: 'metered', num: true }, { text: 'delivered', num: true }],
              l.intervalStarts.map((t, i) => [istTime(t), opt(s.baselineWh[i]), opt(s.usageWh[i]), opt(s.deliveredWh[i])])));
        } catch (err) {
          replace(plot, problemBox(err));
        }
      };
      meterSel.addEventListener('change', () => void draw(meterSel.value));
      replace(detail, el('section', {}, el('h2', {}, `Event ${eventId}`), figures, el('h3', {}, 'Lifecycle'), timeline(e.history)),
        el('section', {}, el('h2', {}, 'Baseline vs metered load'), el('p', {}, el('label', {}, 'Show ', meterSel)), plot));
      await draw('');
    } catch (err) {
      replace(detail, el('section', {}, problemBox(err)));
    }
  };

  replace(root, el('h1', {}, 'Aggregator'), el('section', {}, el('h2', {}, 'Programmes'), programmes), el('section', {}, el('h2', {}, `Events${programme ? ` of ${programme}` : ''}`), events), detail);
  void loadEvents();
  const eventId = query.get('event');
  if (eventId) void showEvent(eventId);
}

const opt = (v: number | null | undefined) => (v === null || v === undefined ? '—' : kwh(v));
/** The event's total; null when no interval has a figure (no reads yet is not 0 Wh). */
const sum = (xs: readonly (number | null)[]) => xs.reduce<number | null>((t, v) => (v === null ? t : (t ?? 0) + v), null);

/** The lifecycle as a row of steps: state, IST time, by whom, why; a re-entered version is marked. */
function timeline(history: readonly Transition[]): HTMLElement {
  return el('ol', { class: 'timeline' }, ...history.map((h) => el('li', { title: h.reason ?? '' }, el('strong', {}, h.state), ` ${istTime(h.at)}`, el('br'), el('span', { class: 'hint' }, `by ${h.by}${h.reason ? ` — ${h.reason}` : ''}`))));
}
