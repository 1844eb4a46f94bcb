import { formatRupees } from '@ies/units';
import { apiGet, apiJson, apiPostSigned } from '../api.js';
import { el, facts, replace, table } from '../dom.js';
import { currentSession } from '../session.js';
import { empty, loading, problemBox } from '../states.js';
import { istTime, plural } from '../time.js';
import { disputeTable, openDispute, raiseDisputeForm, type Dispute, type DisputeContext, type Line } from './settlement-disputes.js';
import { importDeskKey, signRequest, type DeskKey } from './settlement-signing.js';

interface Totals { receivablePaise: number; payablePaise: number; netPaise: number }
interface Summary { statementId: string; scope: { kind: string; day?: string; eventId?: string }; day?: string; version: number; status: string; complete?: boolean; sha256: string; revises?: { id: string; sha256: string } | null; lineCount?: number; totals?: Totals; updatedAt: string; run?: string; cutoff?: string }
interface LinePage { statementId: string; sha256: string; status: string; offset: number; limit: number; total: number; lines: Line[] }
interface Position { counterparty: string; receivablePaise: number; payablePaise: number; netPaise: number }
interface Figures { quantityWh: number | null; ratePaisePerKwh: number | null; amountPaise: number }
interface Diff { from: { id: string; run: string | null }; to: { id: string; run: string | null }; lines: { change: string; reason: string; kind: string; reference: string; intervalStartMs: number | null; meterId: string | null; payer: string; payee: string; before: Figures | null; after: Figures | null }[]; netPositions: { counterparty: string; netPaiseDelta: number }[]; totals: { before: Totals; after: Totals } }

const PAGE = 100;
const LINE_KINDS = ['P2P_ENERGY', 'WHEELING', 'TRANSACTION_CHARGE', 'SELLER_SHORTFALL', 'BUYER_SHORTFALL', 'DR_INCENTIVE', 'DR_PENALTY'];
const wh = (v: number | null) => (v === null ? '—' : `${v.toLocaleString('en-IN')} Wh`);
const rate = (v: number | null) => (v === null ? '—' : `${v.toLocaleString('en-IN')} paise/kWh`);
const rupees = (p: number | undefined) => (p === undefined ? '—' : formatRupees(p));
/** Yesterday in IST: the latest day a statement can exist for. */
const yesterdayIst = () => new Date(Date.now() + 330 * 60_000 - 86_400_000).toISOString().slice(0, 10);
const enc = encodeURIComponent;

/**
 * The settlement team's page: statements by day and run with their status and totals (₹),
 * positions towards each counterparty DISCOM, the statement's lines paged and filtered on the
 * server (GET /v1/statements/{id}/lines), downloads (JSON, CSV, JWS), the diff between two
 * runs with its reasons, the day's disputes (raised from picked lines with evidence, decided by
 * the desk, each with its signed history), and release (FINAL) and dispute as actions signed
 * in this browser with the loaded key file.
 */
export function settlementPage(root: HTMLElement, query: URLSearchParams): void {
  const session = currentSession();
  if (!session) {
    replace(root, el('h1', {}, 'Settlement'), el('section', {}, empty('Sign in as the DISCOM\'s settlement desk to see its statements.'), el('a', { href: '#/sign-in' }, 'Sign in')));
    return;
  }
  const day = el('input', { type: 'date', id: 'st-day', value: query.get('day') ?? yesterdayIst() });
  const list = el('div', { id: 'statements' });
  const detail = el('div', { id: 'statement' });
  const dayForm = el('form', { class: 'filters', id: 'st-day-form' }, el('label', {}, 'Settlement day (IST)', day), el('button', { type: 'submit' }, 'Show statements'));
  let statements: Summary[] = [];

  const loadDay = async (open?: string) => {
    replace(list, loading(`the statements of ${day.value}`));
    try {
      const r = await apiJson<{ discomId: string; day: string; statements: Summary[] }>(`/v1/statements?day=${enc(day.value)}`);
      statements = r.statements;
      if (statements.length === 0) {
        replace(detail);
        return replace(list, empty(`${r.discomId} has no statement of ${r.day} yet.`));
      }
      replace(list, table(['statement', 'scope', 'run', { text: 'version', num: true }, 'status', { text: 'lines', num: true }, { text: 'receivable', num: true }, { text: 'payable', num: true }, { text: 'net', num: true }, 'updated'],
        statements.map((s) => {
          const a = el('a', { href: `#/settlement?day=${enc(day.value)}&id=${enc(s.statementId)}`, 'data-statement': s.statementId }, s.statementId);
          return [a, s.scope.kind === 'DAY' ? `day ${s.scope.day}` : `DR event ${s.scope.eventId}`, s.run ?? '—', String(s.version), el('span', { class: `status ${s.status}` }, s.status),
            s.lineCount === undefined ? '—' : plural(s.lineCount, 'line'), rupees(s.totals?.receivablePaise), rupees(s.totals?.payablePaise), rupees(s.totals?.netPaise), istTime(Date.parse(s.updatedAt))];
        })));
      const chosen = statements.find((s) => s.statementId === open);
      if (chosen) showStatement(chosen);
      else replace(detail);
    } catch (err) {
      replace(list, problemBox(err));
    }
  };

  const showStatement = (s: Summary) => {
    const box = (id: string) => el('div', { id });
    const head = box('st-head');
    const positions = box('st-positions');
    const lines = box('st-lines');
    const diff = box('st-diff');
    const disputes = box('st-disputes');
    const act = box('st-act');
    const raise = box('st-raise');
    const opened = box('dispute');
    // Lines picked in the line table (kept across pages and filters) for a dispute.
    const picked = new Map<number, Line>();
    const path = `/v1/statements/${enc(s.statementId)}`;

    // Head: status, hash, totals with units; downloads as the API serves them.
    const download = (label: string, accept: string, ext: string) => {
      const b = el('button', { type: 'button', 'data-download': ext }, label);
      b.addEventListener('click', async () => {
        try {
          const blob = await (await apiGet(path, { accept })).blob();
          const a = el('a', { href: URL.createObjectURL(blob), download: `${s.statementId.replace(/[^\w.-]+/g, '_')}.${ext}` });
          a.click();
          setTimeout(() => URL.revokeObjectURL(a.href), 10_000);
        } catch (err) {
          replace(head, problemBox(err));
        }
      });
      return b;
    };
    replace(head, facts([
      ['statement', el('code', { 'data-testid': 'st-id' }, s.statementId)],
      ['status', el('span', { 'data-testid': 'st-status', class: `status ${s.status}` }, s.status)],
      ['version', `${s.version}${s.revises ? ` (revises ${s.revises.id})` : ''}${s.run ? `, run ${s.run}, cut-off ${istTime(Date.parse(s.cutoff!))}` : ''}`],
      ['content sha256', el('code', {}, s.sha256)],
      ['totals', s.totals ? `receivable ${formatRupees(s.totals.receivablePaise)}, payable ${formatRupees(s.totals.payablePaise)}, net ${formatRupees(s.totals.netPaise)}` : '—'],
      ['download', el('span', {}, download('JSON', 'application/json', 'json'), ' ', download('CSV', 'text/csv', 'csv'), ' ', download('JWS (signed)', 'application/jose', 'jws'))],
    ]));

    const loadPositions = async () => {
      replace(positions, loading('positions'));
      try {
        const p = await apiJson<{ discoms: Position[]; all: Position[] }>(`${path}/reports/positions`);
        const rows = (xs: Position[]) => xs.map((x) => [x.counterparty, formatRupees(x.receivablePaise), formatRupees(x.payablePaise), formatRupees(x.netPaise)]);
        const cols = ['counterparty', { text: 'receivable', num: true }, { text: 'payable', num: true }, { text: 'net', num: true }] as const;
        replace(positions,
          el('h3', {}, 'Towards each counterparty DISCOM'), p.discoms.length === 0 ? empty('No other DISCOM in this statement.') : table(cols, rows(p.discoms)),
          el('details', {}, el('summary', {}, `Towards every counterparty (${p.all.length})`), table(cols, rows(p.all))));
      } catch (err) {
        replace(positions, problemBox(err));
      }
    };

    // Lines: paged and filtered by the server; the first page's time is shown.
    const kind = el('select', { id: 'l-kind' }, el('option', { value: '' }, 'any kind'), ...LINE_KINDS.map((k) => el('option', { value: k }, k)));
    const meter = el('input', { id: 'l-meter', placeholder: 'meter id' });
    const counterparty = el('input', { id: 'l-counterparty', placeholder: 'counterparty' });
    const lineForm = el('form', { class: 'filters', id: 'line-filters' }, el('label', {}, 'Kind', kind), el('label', {}, 'Meter', meter), el('label', {}, 'Counterparty', counterparty), el('button', { type: 'submit' }, 'Filter'));
    const pageBox = el('div', {});
    const prev = el('button', { type: 'button', id: 'l-prev' }, '← previous');
    const next = el('button', { type: 'button', id: 'l-next' }, 'next →');
    const where = el('span', { 'data-testid': 'line-range' });
    const timing = el('span', { class: 'hint', 'data-testid': 'line-ms' });
    let offset = 0;
    let total = 0;
    const loadLines = async () => {
      const q = new URLSearchParams({ offset: String(offset), limit: String(PAGE) });
      if (kind.value) q.set('kind', kind.value);
      if (meter.value.trim()) q.set('meter', meter.value.trim());
      if (counterparty.value.trim()) q.set('counterparty', counterparty.value.trim());
      replace(pageBox, loading('lines'));
      const t0 = performance.now();
      try {
        const r = await apiJson<LinePage>(`${path}/lines?${q}`);
        total = r.total;
        if (r.lines.length === 0) replace(pageBox, empty('No line matches.'));
        else {
          const pick = (l: Line) => {
            const c = el('input', { type: 'checkbox', class: 'pick-line', 'data-line': String(l.lineNo), 'aria-label': `contest line ${l.lineNo}` });
            c.checked = picked.has(l.lineNo);
            c.addEventListener('change', () => { if (c.checked) picked.set(l.lineNo, l); else picked.delete(l.lineNo); raiseForm.refresh(); });
            return c;
          };
          replace(pageBox, table(['', '#', 'kind', 'reference', 'interval (IST)', 'meter', 'payer', 'payee', 'counterparty', { text: 'quantity', num: true }, { text: 'rate', num: true }, { text: 'amount', num: true }],
            r.lines.map((l) => [pick(l), String(l.lineNo), l.kind, el('code', {}, l.reference), l.intervalStartMs === null ? '—' : istTime(l.intervalStartMs), l.meterId ?? '—', l.payer, l.payee, l.counterparty, wh(l.quantityWh), rate(l.ratePaisePerKwh), formatRupees(l.amountPaise)])));
          // Rendered: the figure a user waits for (request, query, JSON, table).
          await new Promise((done) => requestAnimationFrame(() => done(undefined)));
        }
        replace(where, r.lines.length === 0 ? `0 of ${plural(total, 'line')}` : `lines ${(offset + 1).toLocaleString('en-IN')}–${(offset + r.lines.length).toLocaleString('en-IN')} of ${plural(total, 'matching line')}`);
        replace(timing, ` (page in ${Math.round(performance.now() - t0)} ms)`);
        prev.toggleAttribute('disabled', offset === 0);
        next.toggleAttribute('disabled', offset + PAGE >= total);
      } catch (err) {
        replace(pageBox, problemBox(err));
      }
    };
    lineForm.addEventListener('submit', (e) => { e.preventDefault(); offset = 0; void loadLines(); });
    prev.addEventListener('click', () => { offset = Math.max(0, offset - PAGE); void loadLines(); });
    next.addEventListener('click', () => { if (offset + PAGE < total) { offset += PAGE; void loadLines(); } });
    replace(lines, lineForm, el('p', {}, prev, ' ', next, ' ', where, timing), pageBox);

    // Diff against another statement of the same scope (another run or version).
    const others = statements.filter((o) => o.statementId !== s.statementId && JSON.stringify(o.scope) === JSON.stringify(s.scope));
    const against = el('select', { id: 'diff-against' }, ...others.map((o) => el('option', { value: o.statementId }, `${o.statementId} (v${o.version}, ${o.status})`)));
    const diffGo = el('button', { type: 'button', id: 'diff-go' }, 'Show the diff');
    const diffOut = el('div', { id: 'diff-out' });
    diffGo.addEventListener('click', async () => {
      replace(diffOut, loading('the diff'));
      try {
        const d = await apiJson<Diff>(`${path}/diff?against=${enc(against.value)}`);
        const fig = (f: Figures | null) => (f === null ? '—' : `${wh(f.quantityWh)}, ${formatRupees(f.amountPaise)}`);
        replace(diffOut,
          el('p', { 'data-testid': 'diff-summary' }, `${d.from.id} → ${d.to.id}: ${plural(d.lines.length, 'changed line')}; net ${formatRupees(d.totals.before.netPaise)} → ${formatRupees(d.totals.after.netPaise)}.`),
          d.lines.length === 0 ? empty('No line changed.') : table(['change', 'reason', 'kind', 'reference', 'interval (IST)', 'meter', 'payer → payee', 'before', 'after'],
            d.lines.map((l) => [el('span', { class: `change ${l.change}` }, l.change), l.reason, l.kind, l.reference, l.intervalStartMs === null ? '—' : istTime(l.intervalStartMs), l.meterId ?? '—', `${l.payer} → ${l.payee}`, fig(l.before), fig(l.after)])),
          d.netPositions.length === 0 ? null : el('p', {}, 'Net position changes: ', d.netPositions.map((n) => `${n.counterparty} ${formatRupees(n.netPaiseDelta)}`).join('; ')));
      } catch (err) {
        replace(diffOut, problemBox(err));
      }
    });
    replace(diff, others.length === 0 ? empty('No other run or version of this scope to compare with.') : el('p', {}, el('label', {}, 'Compare with ', against), ' ', diffGo), diffOut);

    const loadDisputes = async () => {
      if (!s.day) return replace(disputes, empty('Disputes are raised on day statements.'));
      replace(disputes, loading('disputes'));
      try {
        const r = await apiJson<{ disputes: Dispute[] }>(`/v1/disputes?day=${enc(s.day)}`);
        const mine = r.disputes.filter((d) => d.statementId === s.statementId);
        replace(disputes, mine.length === 0 ? empty(`No dispute of ${s.statementId}${r.disputes.length > 0 ? ` (${plural(r.disputes.length, 'dispute')} of other statements of the day)` : ''}.`)
          : disputeTable(mine, (id) => void openDispute(opened, ctx, id, () => void loadDisputes())));
      } catch (err) {
        replace(disputes, problemBox(err));
      }
    };

    // Signed actions: the desk's key file is read and imported here, never uploaded.
    const keyFile = el('input', { type: 'file', id: 'desk-key', accept: '.json,application/json' });
    const keyNote = el('span', { class: 'hint', id: 'desk-key-note' }, 'No key loaded.');
    const reason = el('input', { id: 'act-reason', placeholder: 'reason (kept with the signed decision)', size: '50' });
    const release = el('button', { type: 'button', id: 'act-final' }, 'Release (FINAL)');
    const contest = el('button', { type: 'button', id: 'act-dispute' }, 'Dispute (DISPUTED)');
    const actOut = el('div', { id: 'act-out', 'aria-live': 'polite' });
    let key: DeskKey | undefined;
    let tenant: Promise<string> | undefined;
    const ctx: DisputeContext = {
      statementId: s.statementId, day: s.day, key: () => key,
      tenant: () => (tenant ??= apiJson<{ discomId: string }>('/v1/whoami').then((w) => w.discomId).catch((err: unknown) => { tenant = undefined; throw err; })),
    };
    const raiseForm = raiseDisputeForm(ctx, picked, (d) => { void loadDisputes(); void openDispute(opened, ctx, d.disputeId, () => void loadDisputes()); });
    replace(raise, raiseForm.box);
    keyFile.addEventListener('change', async () => {
      const f = keyFile.files?.[0];
      if (!f) return;
      try {
        key = await importDeskKey(await f.text());
        replace(keyNote, `Key ${key.kid} (${key.alg}) loaded in this tab; it is not stored or sent.`);
      } catch (err) {
        key = undefined;
        replace(keyNote, problemBox(err));
      }
      keyFile.value = '';
    });
    const transition = async (to: 'FINAL' | 'DISPUTED') => {
      if (!key) return replace(actOut, problemBox(new Error('Load the desk\'s private key file first.')));
      const who = await apiJson<{ discomId: string }>('/v1/whoami').catch((err: unknown) => err);
      if (!(who && typeof who === 'object' && 'discomId' in who)) return replace(actOut, problemBox(who));
      const body = new TextEncoder().encode(JSON.stringify(reason.value.trim() ? { to, reason: reason.value.trim() } : { to }));
      replace(actOut, loading(`signing and sending ${to}`));
      try {
        const tPath = `${path}/transitions`;
        const after = await apiPostSigned<Summary>(tPath, body, await signRequest(key, tPath, (who as { discomId: string }).discomId, body));
        const signedBy = key.kid;
        await loadDay(s.statementId);
        // The statement is shown again with its new status; the answer goes under it.
        replace(document.getElementById('act-out') ?? actOut, el('p', { 'data-testid': 'act-result' }, `${after.statementId} is ${after.status} (signed by ${signedBy}).`));
      } catch (err) {
        replace(actOut, problemBox(err));
      }
    };
    release.addEventListener('click', () => void transition('FINAL'));
    contest.addEventListener('click', () => void transition('DISPUTED'));
    replace(act, el('p', {}, el('label', {}, 'Desk private key (JWK file) ', keyFile), ' ', keyNote), el('p', {}, reason, ' ', release, ' ', contest),
      el('p', { class: 'hint' }, 'Signed in this browser (WebCrypto) as a detached JWS bound to this statement\'s path and your tenant, the same request `ies statements transition` makes.'), actOut);

    replace(detail,
      el('section', {}, el('h2', {}, 'Statement'), head),
      el('section', {}, el('h2', {}, 'Release or dispute (signed)'), act),
      el('section', {}, el('h2', {}, 'Positions'), positions),
      el('section', {}, el('h2', {}, 'Lines'), lines),
      el('section', {}, el('h2', {}, 'Diff between runs'), diff),
      el('section', {}, el('h2', {}, 'Disputes'), disputes, opened),
      el('section', {}, el('h2', {}, 'Raise a dispute (signed)'), raise));
    void loadPositions();
    void loadLines();
    void loadDisputes();
  };

  dayForm.addEventListener('submit', (e) => {
    e.preventDefault();
    location.hash = `#/settlement?day=${enc(day.value)}`;
  });
  replace(root, el('h1', {}, 'Settlement'), el('section', {}, el('h2', {}, 'Statements'), dayForm, list), detail);
  void loadDay(query.get('id') ?? undefined);
}
