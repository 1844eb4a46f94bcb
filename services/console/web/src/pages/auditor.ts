import { checkpointOfNote, formatVerifierKey } from '@ies/verify';
import { apiGet, apiJson } from '../api.js';
import { el, facts, replace, table } from '../dom.js';
import { currentSession } from '../session.js';
import { empty, loading, problemBox } from '../states.js';
import { istTime, plural } from '../time.js';
import { verifyFile } from '../verify-file.js';
import { loadCheckpointHistory, verifyWitnessed, type WitnessPolicy } from './auditor-history.js';

interface Witnesses {
  policy: WitnessPolicy;
  witnessed: { size: number; checkpoint: string } | null;
  witnesses: { witness: string; cosignedSize: number | null; cosignedAt: number | null }[];
}

const b64 = (bytes: Uint8Array) => btoa(String.fromCharCode(...bytes));
const b64urlBytes = (s: string) => Uint8Array.from(atob(s.replace(/-/g, '+').replace(/_/g, '/').padEnd(Math.ceil(s.length / 4) * 4, '=')), (c) => c.charCodeAt(0));

/**
 * The auditor's page: a tenant's public log (checkpoint, size; witnesses when signed in) and
 * a drop zone that verifies read proofs, receipts, tlog-proofs, checkpoints and signed
 * statements in this browser, with the key the auditor supplies. No sign-in needed.
 */
export function auditorPage(root: HTMLElement, query: URLSearchParams): void {
  const session = currentSession();
  const tenant = el('input', { id: 'tenant', placeholder: 'DISCOM id, e.g. DEMO-DL', value: query.get('discom') ?? localStorage.getItem('ies.console.tenant') ?? '' });
  const logBox = el('div', { id: 'log' });
  const witnessBox = el('div', { id: 'witnesses' });
  const historyBox = el('div', { id: 'checkpoint-history' });
  const vkey = el('textarea', { id: 'vkey', rows: '2', placeholder: "the notary's note verifier key: <origin>+<hash>+<base64 key> (best obtained out of band)" });
  const jwks = el('textarea', { id: 'jwks', rows: '3', placeholder: '{"keys":[…]} the DISCOM\'s JWKS, for signed statements' });
  const keyNote = el('div', { class: 'hint', id: 'key-note' });
  const file = el('input', { type: 'file', id: 'file' });
  const drop = el('div', { class: 'drop', id: 'drop' }, 'Drop a read proof, receipt, tlog-proof, checkpoint or signed statement here, or ', file);
  const result = el('div', { id: 'result', 'aria-live': 'polite' });
  let origin: string | undefined;

  const loadLog = async () => {
    const d = tenant.value.trim();
    if (!d) return replace(logBox, empty('Name a tenant to see its log.'));
    localStorage.setItem('ies.console.tenant', d);
    replace(logBox, loading(`the log of ${d}`));
    try {
      const note = await (await apiGet(`/logs/${encodeURIComponent(d)}/checkpoint`, { auth: false, accept: 'text/plain' })).text();
      const parsed = checkpointOfNote(note);
      if (!parsed.ok) throw new Error(`the served checkpoint is malformed: ${parsed.reason}`);
      origin = parsed.checkpoint.origin;
      const signers = note.split('\n').filter((l) => l.startsWith('\u2014 ')).map((l) => l.split(' ')[1]);
      replace(logBox, facts([
        ['origin', el('code', {}, parsed.checkpoint.origin)],
        ['size', el('span', { 'data-testid': 'log-size' }, plural(parsed.checkpoint.size, 'entry', 'entries'), ' (one per notarised batch)')],
        ['root hash', el('code', {}, b64(parsed.checkpoint.rootHash))],
        ['signed by', signers.join(', ')],
        ['fetched', istTime(Date.now())],
      ]), el('details', {}, el('summary', {}, 'latest checkpoint (signed note)'), el('pre', { class: 'mono' }, note)));
    } catch (err) {
      replace(logBox, problemBox(err));
    }
    void loadCheckpointHistory(historyBox, d, vkey.value);
    if (!session) return replace(witnessBox, empty('Sign in to see the witnesses of the log (GET /v1/log/witnesses).'));
    replace(witnessBox, loading('witnesses'));
    try {
      const w = await apiJson<Witnesses>(`/v1/log/witnesses?discom=${encodeURIComponent(d)}`);
      replace(witnessBox,
        el('p', {}, `Quorum ${w.policy.quorum} of ${plural(w.policy.witnesses.length, 'witness', 'witnesses')}; latest witnessed checkpoint: ${w.witnessed ? plural(w.witnessed.size, 'entry', 'entries') : 'none yet'}.`),
        w.witnesses.length === 0 ? empty('No witness configured for this log.') : table(['witness', { text: 'cosigned size (entries)', num: true }, 'cosigned at'], w.witnesses.map((s) => [s.witness, s.cosignedSize === null ? '—' : s.cosignedSize.toLocaleString('en-IN'), s.cosignedAt === null ? '—' : istTime(s.cosignedAt)])),
        w.policy.witnesses.length === 0 ? null : table(['policy witness', 'cosigner key (as this node states it)'], w.policy.witnesses.map((p) => [p.name, el('code', {}, p.vkey)])),
        w.witnessed ? witnessedCheck(w.witnessed.checkpoint, w.policy) : null);
    } catch (err) {
      replace(witnessBox, problemBox(err));
    }
  };

  const witnessedCheck = (note: string, policy: WitnessPolicy) => {
    const out = el('div', { id: 'witnessed-result', 'aria-live': 'polite' });
    const button = el('button', { type: 'button', id: 'verify-witnessed' }, 'Verify the witnessed checkpoint in this browser');
    button.addEventListener('click', () => void verifyWitnessed(out, note, policy, vkey.value, origin));
    return el('div', {}, el('details', {}, el('summary', {}, 'latest witnessed checkpoint (signed note with cosignatures)'), el('pre', { class: 'mono' }, note)), el('p', {}, button), out);
  };

  const pickKey = async () => {
    const d = tenant.value.trim();
    try {
      if (!origin) await loadLog();
      if (!origin) throw new Error('load the log first: its origin names the key');
      const set = await apiJson<{ keys: (Record<string, string>)[] }>(`/.well-known/jwks.json?discom=${encodeURIComponent(d)}`, { auth: false });
      const notary = set.keys.find((k) => k['ies:role'] === 'NOTARY' && k['crv'] === 'Ed25519' && k['status'] !== 'REVOKED');
      if (!notary?.['x']) throw new Error(`the JWKS of ${d} lists no active Ed25519 notary key`);
      vkey.value = formatVerifierKey({ name: origin, publicKey: b64urlBytes(notary['x']) });
      jwks.value = JSON.stringify(set);
      replace(keyNote, `Picked from this node's /.well-known/jwks.json for ${d}: convenient, but it trusts this node; compare with a key obtained out of band.`);
      void loadCheckpointHistory(historyBox, d, vkey.value);
    } catch (err) {
      replace(keyNote, problemBox(err));
    }
  };

  const verify = async (f: File) => {
    replace(result, loading(`and verifying ${f.name}`));
    const verdict = await verifyFile(await f.text(), { vkey: vkey.value, jwks: jwks.value }).catch((err: unknown) => ({ kind: 'unknown' as const, ok: false, summary: `MALFORMED: ${(err as Error).message}` }));
    replace(result,
      el('div', { class: `verdict ${verdict.ok ? 'ok' : 'bad'}`, 'data-testid': 'verdict' }, verdict.ok ? 'VERIFIED' : 'NOT VERIFIED'),
      el('p', {}, el('strong', {}, `${f.name}`), ` (${verdict.kind}): `, el('span', { 'data-testid': 'verdict-summary' }, verdict.summary)),
      el('p', { class: 'hint' }, `Checked in this browser at ${istTime(Date.now())} with @ies/verify; the server was not asked.`));
  };

  file.addEventListener('change', () => { if (file.files?.[0]) void verify(file.files[0]); });
  drop.addEventListener('dragover', (e) => { e.preventDefault(); drop.classList.add('over'); });
  drop.addEventListener('dragleave', () => drop.classList.remove('over'));
  drop.addEventListener('drop', (e) => {
    e.preventDefault();
    drop.classList.remove('over');
    const f = e.dataTransfer?.files[0];
    if (f) void verify(f);
  });

  const load = el('button', { type: 'button', id: 'load-log' }, 'Show log');
  load.addEventListener('click', () => void loadLog());
  const pick = el('button', { type: 'button', id: 'pick-key' }, "Use this node's published keys");
  pick.addEventListener('click', () => void pickKey());

  replace(root,
    el('h1', {}, 'Auditor'),
    el('section', {}, el('h2', {}, 'Log'), el('p', {}, el('label', {}, 'Tenant ', tenant), ' ', load), logBox),
    el('section', {}, el('h2', {}, 'Checkpoints over time'), historyBox),
    el('section', {}, el('h2', {}, 'Witnesses'), witnessBox),
    el('section', {}, el('h2', {}, 'Verify a file'), el('label', {}, 'Notary verifier key', vkey), el('label', {}, 'JWKS (statements)', jwks), el('p', {}, pick, ' ', keyNote), drop, result));
  if (tenant.value) void loadLog();
  else if (session) {
    // Signed in without a tenant named: the user's own tenant (GET /v1/whoami).
    replace(logBox, loading('your tenant'));
    void apiJson<{ discomId: string }>('/v1/whoami').then((w) => { tenant.value = w.discomId; return loadLog(); }, (err: unknown) => replace(logBox, problemBox(err)));
  } else replace(logBox, empty('Name a tenant to see its log.'));
  if (!session) replace(witnessBox, empty('Sign in to see the witnesses of the log.'));
}
