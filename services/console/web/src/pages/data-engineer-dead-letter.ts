import { apiJson, apiPostJson } from '../api.js';
import { el, facts, replace } from '../dom.js';
import { loading, problemBox } from '../states.js';
import { istTime } from '../time.js';

interface Original { sourceId: string; stage: string; code: string; message: string; rejectedAt: number; context: Record<string, string>; payloadBase64: string | null; record: Record<string, unknown> | null }
interface Redriven { sourceId: string; accepted: boolean; replayed: boolean; status: number; result: Record<string, unknown> }

/** The stage whose dead letters keep a head-end's signed envelope, so they can be re-driven. */
const REDRIVABLE_STAGE = 'submissions-consumer';

/**
 * One dead letter opened: its reason, the original bytes kept with it (decoded when they are
 * a record of the node) and, for a head-end submission the intake refused, the re-drive
 * action (POST /v1/dead-letters/redrive) once the cause is fixed.
 */
export async function openDeadLetter(box: HTMLElement, sourceId: string, scoped: (q: URLSearchParams) => URLSearchParams, afterRedrive: () => void): Promise<void> {
  replace(box, loading(`dead letter ${sourceId}`));
  let found: Original[];
  try {
    found = (await apiJson<{ deadLetters: Original[] }>(`/v1/dead-letters/original?${scoped(new URLSearchParams({ sourceId }))}`)).deadLetters;
  } catch (err) {
    return replace(box, problemBox(err));
  }
  const outcome = el('div', { id: 'redrive-outcome', 'aria-live': 'polite' });
  replace(box, ...found.map((d) => {
    const redrivable = d.stage === REDRIVABLE_STAGE && d.payloadBase64 !== null;
    const button = redrivable ? el('button', { type: 'button', id: 'redrive' }, 'Re-drive (submit the original bytes again)') : null;
    button?.addEventListener('click', () => void redrive(outcome, d.sourceId, afterRedrive));
    return el('div', { class: 'original', 'data-source': d.sourceId },
      el('h3', {}, 'Dead letter ', el('code', {}, d.sourceId)),
      facts([
        ['rejected at', istTime(d.rejectedAt)], ['stage', d.stage], ['code', el('code', {}, d.code)], ['reason', d.message],
        ['context', Object.keys(d.context).length === 0 ? '—' : el('code', {}, Object.entries(d.context).map(([k, v]) => `${k}=${v}`).join(', '))],
        ['original bytes', d.payloadBase64 === null ? 'none kept (a rejected read: its batch is in the log; the head-end sends a corrected batch)' : `${Math.floor((d.payloadBase64.length * 3) / 4).toLocaleString('en-IN')} B`],
      ]),
      d.record ? el('details', { open: '' }, el('summary', {}, 'the original record, decoded'), el('pre', { class: 'mono', 'data-testid': 'original-record' }, JSON.stringify(d.record, null, 2))) : null,
      d.record === null && d.payloadBase64 !== null ? el('details', {}, el('summary', {}, 'the original bytes (base64)'), el('pre', { class: 'mono' }, d.payloadBase64)) : null,
      button ? el('p', {}, button, ' ', el('span', { class: 'hint' }, 'Once the cause is fixed (e.g. the head-end key registered): the head-end\'s signed bytes go through the intake again, judged at their original arrival time; a batch is notarised once, a second re-drive answers the first outcome.')) : null,
    );
  }), outcome);
}

async function redrive(outcome: HTMLElement, sourceId: string, afterRedrive: () => void): Promise<void> {
  replace(outcome, loading(`the re-drive of ${sourceId}`));
  try {
    const r = await apiPostJson<Redriven>('/v1/dead-letters/redrive', { sourceId });
    const batch = typeof r.result['batchId'] === 'string' ? r.result['batchId'] : undefined;
    replace(outcome, r.accepted
      ? el('p', { class: 'outcome-ok', 'data-testid': 'redrive-result', 'data-replayed': String(r.replayed) }, r.replayed ? `Already accepted earlier: batch ${batch ?? '?'} (the first outcome, replayed; nothing written again).` : `Accepted: batch ${batch ?? '?'} (HTTP ${r.status}); its receipt follows once the notary appends it.`)
      : el('p', { class: 'outcome-bad', 'data-testid': 'redrive-result', 'data-code': String(r.result['code'] ?? '') }, `Refused again: ${String(r.result['code'] ?? r.status)}: ${String(r.result['detail'] ?? '')}`));
    afterRedrive();
  } catch (err) {
    replace(outcome, problemBox(err));
  }
}
