import { apiJson } from '../api.js';
import { el, replace, table } from '../dom.js';
import { currentSession } from '../session.js';
import { empty, loading, problemBox } from '../states.js';
import { istInputToEpochMs, istTime, plural } from '../time.js';
import { loadActivity, WINDOWS } from './data-engineer-activity.js';
import { openDeadLetter } from './data-engineer-dead-letter.js';
import { loadKeys } from './data-engineer-keys.js';
import { loadSettledLag } from './data-engineer-settled-lag.js';

interface HeadEnd { headEndId: string; name: string | null; registered: boolean; activeKeys: number; batches: number; lastBatch: { batchId: string; acceptedAt: number; readCount: number; logIndex: number } | null }
interface DeadLetter { sourceId: string; stage: string; code: string; message: string; rejectedAt: number; batchId: string | null; meterId: string | null; context: Record<string, string>; payloadBytes: number }

/**
 * The DISCOM data engineer's page: head-ends with their last notarised batch
 * (GET /v1/head-ends), the tenant's keys and their status, intake per minute and rejections by
 * code as plots, stage lags, and dead letters searchable by stage, code, head-end and time
 * (GET /v1/dead-letters), each with its reason, original bytes and, where the intake refused a
 * head-end's submission, a re-drive.
 */
export function dataEngineerPage(root: HTMLElement, query: URLSearchParams): void {
  // ?discom= asks for a tenant by name; the API refuses any but the signed-in user's own.
  const tenant = query.get('discom');
  const scoped = (q: URLSearchParams) => { if (tenant) q.set('discom', tenant); return q; };
  const session = currentSession();
  if (!session) {
    replace(root, el('h1', {}, 'Data engineer'), el('section', {}, empty('Sign in as a DISCOM participant to see head-ends and dead letters.'), el('a', { href: '#/sign-in' }, 'Sign in')));
    return;
  }
  const headEnds = el('div', { id: 'head-ends' });
  const keys = el('div', { id: 'keys' });
  const charts = el('div', { id: 'activity' });
  const lags = el('div', { id: 'stage-lags' });
  const settledLag = el('div', { id: 'settled-lag' });
  const deadLetters = el('div', { id: 'dead-letters' });
  const opened = el('div', { id: 'dead-letter' });
  const windowPick = el('select', { id: 'window' }, ...WINDOWS.map(([label, ms]) => el('option', { value: String(ms) }, `last ${label}`)));
  const refreshActivity = () => void loadActivity(charts, lags, scoped, Number(windowPick.value));
  windowPick.addEventListener('change', refreshActivity);
  const input = (name: string, attrs: Record<string, string> = {}) => el('input', { name, id: `f-${name}`, ...attrs });
  const stage = input('stage', { placeholder: 'gateway, notary, loader…' });
  const code = input('code', { placeholder: 'IES_ERR_…' });
  const headEnd = input('headEndId', { placeholder: 'head-end id' });
  const from = input('from', { type: 'datetime-local' });
  const to = input('to', { type: 'datetime-local' });
  const form = el('form', { class: 'filters', id: 'dead-letter-filters' },
    el('label', {}, 'Stage', stage), el('label', {}, 'Code', code), el('label', {}, 'Head-end', headEnd),
    el('label', {}, 'Rejected from (IST)', from), el('label', {}, 'to (IST)', to), el('button', { type: 'submit' }, 'Search'));

  const loadHeadEnds = async () => {
    replace(headEnds, loading('head-ends'));
    try {
      const r = await apiJson<{ discomId: string; headEnds: HeadEnd[] }>(`/v1/head-ends?${scoped(new URLSearchParams())}`);
      void loadKeys(keys, r.discomId, new Set(r.headEnds.map((h) => h.headEndId)));
      replace(headEnds, r.headEnds.length === 0 ? empty(`${r.discomId} has no head-end yet.`) : table(
        ['head-end', 'registered', { text: 'active keys', num: true }, { text: 'batches in log', num: true }, 'last batch', { text: 'reads in last batch', num: true }, 'last batch accepted', { text: 'log index', num: true }],
        r.headEnds.map((h) => [el('code', {}, h.headEndId), h.registered ? `yes${h.name ? ` (${h.name})` : ''}` : 'no', String(h.activeKeys), h.batches.toLocaleString('en-IN'),
          h.lastBatch ? el('code', {}, h.lastBatch.batchId) : '—', h.lastBatch ? `${h.lastBatch.readCount.toLocaleString('en-IN')} reads` : '—', h.lastBatch ? istTime(h.lastBatch.acceptedAt) : '—', h.lastBatch ? String(h.lastBatch.logIndex) : '—'])));
    } catch (err) {
      replace(headEnds, problemBox(err));
      replace(keys, problemBox(err));
    }
  };

  const loadDeadLetters = async () => {
    const q = new URLSearchParams();
    for (const [k, v] of [['stage', stage.value], ['code', code.value], ['headEndId', headEnd.value]] as const) if (v.trim()) q.set(k, v.trim());
    const fromMs = istInputToEpochMs(from.value);
    const toMs = istInputToEpochMs(to.value);
    if (fromMs !== undefined) q.set('from', String(fromMs));
    if (toMs !== undefined) q.set('to', String(toMs));
    q.set('limit', '200');
    replace(deadLetters, loading('dead letters'));
    try {
      const r = await apiJson<{ discomId: string; deadLetters: DeadLetter[]; truncated: boolean }>(`/v1/dead-letters?${scoped(q)}`);
      if (r.deadLetters.length === 0) return replace(deadLetters, empty(`No dead letter of ${r.discomId} matches.`));
      replace(deadLetters,
        el('p', { 'data-testid': 'dead-letter-count' }, `${plural(r.deadLetters.length, 'dead letter')} of ${r.discomId}${r.truncated ? ' (the newest; narrow the search to see older ones)' : ''}.`),
        table(['rejected at', 'stage', 'code', 'reason', 'source', 'meter', { text: 'bytes kept', num: true }, ''],
          r.deadLetters.map((d) => [istTime(d.rejectedAt), d.stage, el('code', {}, d.code), d.message, el('code', {}, d.sourceId), d.meterId ?? '—', `${d.payloadBytes.toLocaleString('en-IN')} B`, openButton(d.sourceId)])));
    } catch (err) {
      replace(deadLetters, problemBox(err));
    }
  };
  const afterRedrive = () => {
    void loadHeadEnds();
    refreshActivity();
  };
  const openButton = (sourceId: string) => {
    const b = el('button', { type: 'button', class: 'open-dead-letter', 'data-source': sourceId }, 'Open');
    b.addEventListener('click', () => {
      void openDeadLetter(opened, sourceId, scoped, afterRedrive);
      opened.scrollIntoView();
    });
    return b;
  };
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    void loadDeadLetters();
  });

  replace(root, el('h1', {}, 'Data engineer'),
    el('section', {}, el('h2', {}, 'Head-ends'), headEnds),
    el('section', {}, el('h2', {}, 'Keys and their status'), keys),
    el('section', {}, el('h2', {}, 'Intake and rejections ', windowPick), charts),
    el('section', {}, el('h2', {}, 'Stage lags'), lags),
    el('section', {}, el('h2', {}, 'Loaded → settled, per settlement day'), settledLag),
    el('section', {}, el('h2', {}, 'Dead letters'), form, deadLetters, opened));
  void loadHeadEnds();
  refreshActivity();
  void loadSettledLag(settledLag, scoped, query.get('lagDay') ?? undefined);
  void loadDeadLetters();
}
