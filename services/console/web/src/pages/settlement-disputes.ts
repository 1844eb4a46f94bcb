import { formatRupees } from '@ies/units';
import { apiJson, apiPostSigned } from '../api.js';
import { el, facts, replace, table } from '../dom.js';
import { empty, loading, problemBox } from '../states.js';
import { istTime, plural } from '../time.js';
import { detectKind } from '../verify-file.js';
import { signRequest, type DeskKey } from './settlement-signing.js';

/** A statement line as GET /v1/statements/{id}/lines serves it. */
export interface Line { lineNo: number; kind: string; reference: string; intervalStartMs: number | null; intervalEndMs: number | null; meterId: string | null; payer: string; payee: string; counterparty: string; quantityWh: number | null; ratePaisePerKwh: number | null; amountPaise: number; note: string | null }
interface DocLine { kind: string; reference: string; intervalStartMs: number | null; meterId: string | null; payer: string; payee: string; claimed: { quantityWh?: number; amountPaise: number } }
export interface Dispute {
  disputeId: string; statementId: string; type: string; status: string; raisedAt: string; raisedBy: { participantId?: string };
  adjustments: { counterparty: string; amountPaise: number }[]; decided: { amountPaise: number; quantityWh?: number }[] | null;
  proven?: { reads?: { meterId: string; channel: string; wh: number }[] }; appliedIn: { statementId: string } | null;
  document: { lines: DocLine[]; evidence: { kind: string }[]; reason?: string };
}
interface Change { status: string; at: number; by: string; reason: string | null; signed?: { kid: string; jws: string } }
type Evidence = { kind: 'READ_PROOF'; proof: unknown } | { kind: 'RECEIPT'; receipt: unknown } | { kind: 'TLOG_PROOF'; text: string } | { kind: 'NO_READ'; meterId: string; blockStart: string; channel: 'IMPORT' | 'EXPORT' };

export interface DisputeContext {
  readonly statementId: string;
  readonly day: string | undefined;
  /** The key loaded in this tab (the desk's, or any party's with standing). */
  readonly key: () => DeskKey | undefined;
  /** The signer's tenant (the signed-in participant's DISCOM). */
  readonly tenant: () => Promise<string>;
}

const enc = encodeURIComponent;
const wh = (v: number | null | undefined) => (v === null || v === undefined ? '—' : `${v.toLocaleString('en-IN')} Wh`);
/** A ₹ amount typed by a person ("24", "24.5", "1,200.00") → paise; undefined when it is not one. */
export function rupeesToPaise(text: string): number | undefined {
  const t = text.replace(/[₹,\s]/g, '');
  if (!/^-?\d+(\.\d{1,2})?$/.test(t)) return undefined;
  const [whole, frac = ''] = t.replace('-', '').split('.') as [string, string?];
  const paise = Number(whole) * 100 + Number(frac.padEnd(2, '0'));
  return t.startsWith('-') ? -paise : paise;
}
const paiseToInput = (p: number) => (p / 100).toFixed(2);
const whInput = (v: number | null | undefined) => (v === null || v === undefined ? '' : String(v));

/** A dropped evidence file (what the notary issues) as the dispute document's evidence. */
export function evidenceOf(text: string): Evidence {
  const kind = detectKind(text);
  if (kind === 'read proof') return { kind: 'READ_PROOF', proof: JSON.parse(text) as unknown };
  if (kind === 'tlog-proof') return { kind: 'TLOG_PROOF', text };
  if (kind === 'receipt') {
    try {
      return { kind: 'RECEIPT', receipt: JSON.parse(text) as unknown };
    } catch {
      throw new Error('a receipt is cited as GET /v1/batches/{id}/receipt serves it (JSON), not as a bare JWS');
    }
  }
  throw new Error(`not evidence for a dispute (${kind}): drop a read proof, a tlog proof or a batch receipt`);
}

const evidenceLabel = (e: Evidence) => {
  switch (e.kind) {
    case 'READ_PROOF': {
      const r = (e.proof as { read?: { meterId?: string; channel?: string; wh?: number; blockStart?: string | number } }).read ?? {};
      return `read proof: ${r.meterId} ${r.channel} ${wh(r.wh)} at ${typeof r.blockStart === 'number' ? istTime(r.blockStart) : r.blockStart ? istTime(Date.parse(r.blockStart)) : '?'}`;
    }
    case 'RECEIPT': return `receipt of batch ${String((e.receipt as { receipt?: { batchId?: string } }).receipt?.batchId ?? '?')}`;
    case 'TLOG_PROOF': return 'tlog proof';
    case 'NO_READ': return `read absent: ${e.meterId} ${e.channel} block ${istTime(Date.parse(e.blockStart))}`;
  }
};

/**
 * Raising a dispute from the statement's line table: the picked lines with their claimed
 * figures (Wh, ₹), evidence dropped as the notary issued it or a read marked absent, the
 * document signed in this browser with the loaded key (the same detached JWS `ies disputes
 * raise` sends) and POSTed to /v1/disputes. The answer, or the API's refusal with its code.
 */
export function raiseDisputeForm(ctx: DisputeContext, picked: Map<number, Line>, onRaised: (d: Dispute) => void): { box: HTMLElement; refresh: () => void } {
  const box = el('div', { id: 'raise' });
  const type = el('select', { id: 'dsp-type' }, ...['READ_VALUE', 'NO_READ', 'CHARGE'].map((t) => el('option', { value: t }, t)));
  const reason = el('input', { id: 'dsp-reason', placeholder: 'why (kept in the signed document)', size: '50' });
  const files = el('input', { type: 'file', id: 'dsp-evidence', multiple: '', accept: '.json,.txt,application/json,text/plain' });
  const absentMeter = el('input', { id: 'dsp-absent-meter', placeholder: 'meter id', size: '10' });
  const absentBlock = el('input', { id: 'dsp-absent-block', type: 'datetime-local' });
  const absentChannel = el('select', { id: 'dsp-absent-channel' }, el('option', { value: 'IMPORT' }, 'IMPORT'), el('option', { value: 'EXPORT' }, 'EXPORT'));
  const absentAdd = el('button', { type: 'button', id: 'dsp-absent-add' }, 'Mark read absent');
  const evidenceList = el('ul', { id: 'dsp-evidence-list' });
  const linesBox = el('div', { id: 'dsp-lines' });
  const send = el('button', { type: 'button', id: 'dsp-raise' }, 'Sign and raise the dispute');
  const out = el('div', { id: 'dsp-out', 'aria-live': 'polite' });
  const evidence: Evidence[] = [];
  const claimInputs = new Map<number, { amount: HTMLInputElement; quantity: HTMLInputElement }>();

  const showEvidence = () => replace(evidenceList, ...evidence.map((e, i) => {
    const drop = el('button', { type: 'button', class: 'link' }, 'remove');
    drop.addEventListener('click', () => { evidence.splice(i, 1); showEvidence(); });
    return el('li', { 'data-evidence': e.kind }, evidenceLabel(e), ' ', drop);
  }));
  files.addEventListener('change', async () => {
    for (const f of Array.from(files.files ?? [])) {
      try {
        evidence.push(evidenceOf(await f.text()));
      } catch (err) {
        replace(out, problemBox(new Error(`${f.name}: ${(err as Error).message}`)));
      }
    }
    files.value = '';
    showEvidence();
  });
  absentAdd.addEventListener('click', () => {
    const ms = absentBlock.value ? Date.parse(`${absentBlock.value.length === 16 ? `${absentBlock.value}:00` : absentBlock.value}+05:30`) : NaN;
    if (!absentMeter.value.trim() || !Number.isFinite(ms)) return replace(out, problemBox(new Error('A read absent needs its meter and its 15-minute block start (IST).')));
    evidence.push({ kind: 'NO_READ', meterId: absentMeter.value.trim(), blockStart: new Date(ms).toISOString(), channel: absentChannel.value as 'IMPORT' | 'EXPORT' });
    showEvidence();
  });

  const refresh = () => {
    if (picked.size === 0) return replace(linesBox, empty('Pick the lines you contest in the line table (the checkbox of each).'));
    const rows = [...picked.values()].sort((a, b) => a.lineNo - b.lineNo).map((l) => {
      const kept = claimInputs.get(l.lineNo);
      const quantity = kept?.quantity ?? el('input', { class: 'claim-wh', 'data-line': String(l.lineNo), inputmode: 'numeric', size: '8', value: whInput(l.quantityWh) });
      const amount = kept?.amount ?? el('input', { class: 'claim-rupees', 'data-line': String(l.lineNo), inputmode: 'decimal', size: '10', value: paiseToInput(l.amountPaise) });
      claimInputs.set(l.lineNo, { amount, quantity });
      return [String(l.lineNo), l.kind, el('code', {}, l.reference), l.meterId ?? '—', `${l.payer} → ${l.payee}`, `${wh(l.quantityWh)}, ${formatRupees(l.amountPaise)}`,
        el('span', {}, quantity, ' Wh'), el('span', {}, '₹ ', amount)];
    });
    for (const n of [...claimInputs.keys()]) if (!picked.has(n)) claimInputs.delete(n);
    replace(linesBox, table(['#', 'kind', 'reference', 'meter', 'payer → payee', 'stated', 'claimed quantity', 'claimed amount'], rows));
  };

  send.addEventListener('click', async () => {
    const key = ctx.key();
    if (!key) return replace(out, problemBox(new Error('Load your private key file first (the desk\'s, or the party\'s raising it).')));
    if (picked.size === 0) return replace(out, problemBox(new Error('Pick at least one line of the statement.')));
    const lines: DocLine[] = [];
    for (const l of [...picked.values()].sort((a, b) => a.lineNo - b.lineNo)) {
      const inputs = claimInputs.get(l.lineNo)!;
      const amountPaise = rupeesToPaise(inputs.amount.value);
      if (amountPaise === undefined) return replace(out, problemBox(new Error(`line ${l.lineNo}: the claimed amount "${inputs.amount.value}" is not a ₹ figure (e.g. 24.00)`)));
      const q = inputs.quantity.value.replace(/[,\s]/g, '');
      if (q !== '' && !/^\d+$/.test(q)) return replace(out, problemBox(new Error(`line ${l.lineNo}: the claimed quantity "${inputs.quantity.value}" is not a whole number of Wh`)));
      lines.push({ kind: l.kind, reference: l.reference, intervalStartMs: l.intervalStartMs, meterId: l.meterId, payer: l.payer, payee: l.payee, claimed: { ...(q === '' ? {} : { quantityWh: Number(q) }), amountPaise } });
    }
    const doc = { schema: 'ies.settlement.dispute/v1', statementId: ctx.statementId, type: type.value, lines, evidence, ...(reason.value.trim() ? { reason: reason.value.trim() } : {}) };
    const body = new TextEncoder().encode(JSON.stringify(doc));
    replace(out, loading('signing and raising the dispute'));
    try {
      const d = await apiPostSigned<Dispute>('/v1/disputes', body, await signRequest(key, '/v1/disputes', await ctx.tenant(), body));
      replace(out, el('p', { 'data-testid': 'dsp-raised' }, `${d.disputeId} ${d.status} on ${d.statementId} (signed by ${key.kid}); claimed: `,
        d.adjustments.map((a) => `${formatRupees(Math.abs(a.amountPaise))} ${a.amountPaise >= 0 ? 'receivable from' : 'payable to'} ${a.counterparty}`).join('; ') || 'none', '.'));
      onRaised(d);
    } catch (err) {
      replace(out, problemBox(err));
    }
  });

  replace(box, linesBox,
    el('p', {}, el('label', {}, 'Type ', type), ' ', reason),
    el('p', {}, el('label', {}, 'Evidence (read proof, tlog proof or batch receipt as issued) ', files)),
    el('p', {}, 'Or a read the node does not hold: ', absentMeter, ' ', absentBlock, ' ', absentChannel, ' ', absentAdd),
    evidenceList,
    el('p', {}, send, el('span', { class: 'hint' }, ' Signed in this browser with the key loaded above, the request `ies disputes raise` makes.')),
    out);
  refresh();
  return { box, refresh };
}

/**
 * One dispute: its lines (stated identity, claimed and decided figures), claimed adjustments,
 * its history with each signed transition (kid), and the desk's decision as a signed action:
 * UNDER_REVIEW, UPHELD (optionally in part: a decided figure per line) or REJECTED.
 */
export async function openDispute(box: HTMLElement, ctx: DisputeContext, disputeId: string, onDecided: () => void): Promise<void> {
  replace(box, loading(`dispute ${disputeId}`));
  let shown: { dispute: Dispute; history: Change[] };
  try {
    shown = await apiJson<{ dispute: Dispute; history: Change[] }>(`/v1/disputes/${enc(disputeId)}`);
  } catch (err) {
    return replace(box, problemBox(err));
  }
  const d = shown.dispute;
  const decidedIn = d.document.lines.map((l, i) => ({
    amount: el('input', { class: 'decided-rupees', 'data-line': String(i), size: '10', inputmode: 'decimal', placeholder: paiseToInput(l.claimed.amountPaise) }),
    quantity: el('input', { class: 'decided-wh', 'data-line': String(i), size: '8', inputmode: 'numeric', placeholder: whInput(l.claimed.quantityWh) }),
  }));
  const status = el('select', { id: 'dec-status' }, ...['UNDER_REVIEW', 'UPHELD', 'REJECTED'].map((s) => el('option', { value: s }, s)));
  const reason = el('input', { id: 'dec-reason', placeholder: 'reason (kept with the signed decision)', size: '50' });
  const go = el('button', { type: 'button', id: 'dec-go' }, 'Sign and decide');
  const out = el('div', { id: 'dec-out', 'aria-live': 'polite' });
  go.addEventListener('click', async () => {
    const key = ctx.key();
    if (!key) return replace(out, problemBox(new Error('Load the desk\'s private key file first.')));
    let decided: { amountPaise: number; quantityWh?: number }[] | undefined;
    if (status.value === 'UPHELD' && decidedIn.some((x) => x.amount.value.trim() !== '')) {
      decided = [];
      for (const [i, x] of decidedIn.entries()) {
        const amountPaise = rupeesToPaise(x.amount.value.trim() === '' ? paiseToInput(d.document.lines[i]!.claimed.amountPaise) : x.amount.value);
        if (amountPaise === undefined) return replace(out, problemBox(new Error(`line ${i + 1}: "${x.amount.value}" is not a ₹ figure`)));
        const q = x.quantity.value.replace(/[,\s]/g, '');
        if (q !== '' && !/^\d+$/.test(q)) return replace(out, problemBox(new Error(`line ${i + 1}: "${x.quantity.value}" is not a whole number of Wh`)));
        decided.push({ amountPaise, ...(q === '' ? {} : { quantityWh: Number(q) }) });
      }
    }
    const body = new TextEncoder().encode(JSON.stringify({ status: status.value, ...(reason.value.trim() ? { reason: reason.value.trim() } : {}), ...(decided ? { decided } : {}) }));
    replace(out, loading(`signing and sending ${status.value}`));
    try {
      const path = `/v1/disputes/${enc(disputeId)}/decisions`;
      const after = await apiPostSigned<Dispute>(path, body, await signRequest(key, path, await ctx.tenant(), body));
      await openDispute(box, ctx, disputeId, onDecided);
      replace(document.getElementById('dec-out') ?? out, el('p', { 'data-testid': 'dec-result' }, `${after.disputeId} is ${after.status} (signed by ${key.kid}).`));
      onDecided();
    } catch (err) {
      replace(out, problemBox(err));
    }
  });
  const adjustments = (xs: { counterparty: string; amountPaise: number }[]) => xs.map((a) => `${formatRupees(Math.abs(a.amountPaise))} ${a.amountPaise >= 0 ? 'receivable from' : 'payable to'} ${a.counterparty}`).join('; ') || 'none';
  replace(box,
    el('h3', {}, `Dispute ${d.disputeId}`),
    facts([
      ['status', el('span', { 'data-testid': 'dsp-status', class: `status ${d.status}` }, d.status)],
      ['type', d.type],
      ['raised', `${istTime(Date.parse(d.raisedAt))} by ${d.raisedBy.participantId ?? '—'}`],
      ['reason', d.document.reason ?? '—'],
      ['evidence', d.document.evidence.map((e) => e.kind).join(', ') || 'none'],
      ['proven reads', (d.proven?.reads ?? []).map((r) => `${r.meterId} ${r.channel} ${wh(r.wh)}`).join('; ') || 'none'],
      ['adjustments', el('span', { 'data-testid': 'dsp-adjustments' }, adjustments(d.adjustments))],
      ['applied in', d.appliedIn?.statementId ?? '—'],
    ]),
    table(['#', 'kind', 'reference', 'meter', 'payer → payee', 'claimed', 'decided', 'decide (₹, Wh)'], d.document.lines.map((l, i) => [String(i + 1), l.kind, el('code', {}, l.reference), l.meterId ?? '—', `${l.payer} → ${l.payee}`,
      `${wh(l.claimed.quantityWh)}, ${formatRupees(l.claimed.amountPaise)}`, d.decided?.[i] ? `${wh(d.decided[i]!.quantityWh)}, ${formatRupees(d.decided[i]!.amountPaise)}` : '—',
      el('span', {}, '₹ ', decidedIn[i]!.amount, ' ', decidedIn[i]!.quantity, ' Wh')])),
    el('h4', {}, 'History (each transition with the signed write that made it)'),
    table(['status', 'at', 'by', 'reason', 'signed by (kid)'], shown.history.map((c) => [el('span', { class: `status ${c.status}` }, c.status), istTime(c.at), c.by, c.reason ?? '—', c.signed ? el('code', { 'data-kid': c.signed.kid }, c.signed.kid) : 'not signed (the run)'])),
    ['RAISED', 'UNDER_REVIEW'].includes(d.status)
      ? el('p', {}, el('label', {}, 'Decision ', status), ' ', reason, ' ', go, el('span', { class: 'hint' }, ' UPHELD in part: a decided ₹ (and Wh) per line, between stated and claimed; blank: as claimed.'))
      : el('p', { class: 'hint' }, `No decision is open (${d.status}).`),
    out);
}

/** The statement's disputes of the day, each openable. */
export function disputeTable(mine: readonly Dispute[], open: (id: string) => void): HTMLElement {
  return table(['dispute', 'type', 'status', 'raised by', 'raised', 'adjustments', ''], mine.map((d) => {
    const b = el('button', { type: 'button', class: 'open-dispute', 'data-dispute': d.disputeId }, 'Open');
    b.addEventListener('click', () => open(d.disputeId));
    return [el('code', {}, d.disputeId), d.type, el('span', { class: `status ${d.status}` }, d.status), d.raisedBy.participantId ?? '—', istTime(Date.parse(d.raisedAt)), plural(d.adjustments.length, 'adjustment'), b];
  }));
}
