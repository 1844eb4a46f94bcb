import { RFC6962_SHA256, consistencyProofFromNodes, tileNodeReader, type GetNodes } from '@ies/merkle';
import { parseCosignerKey, trustFromVerifierKeys, verifyCheckpoint, verifyCheckpointConsistency, verifyCosignatures, type TrustAnchors } from '@ies/verify';
import { apiGet, apiJson } from '../api.js';
import { el, replace, table } from '../dom.js';
import { empty, loading, problemBox } from '../states.js';
import { istTime, plural } from '../time.js';

interface History { discomId: string; checkpoints: { size: number; rootHash: string; note: string; lastIndex: number; lastAcceptedAt: number }[] }
export interface WitnessPolicy { quorum: number; witnesses: { name: string; url: string; vkey: string }[] }

const vkeysOf = (text: string) => text.split('\n').map((k) => k.trim()).filter(Boolean);

/**
 * The log's checkpoints over time (GET /v1/checkpoints, public: as its receipts carry them),
 * each verified in this browser against the notary key in the verifier-key field when there
 * is one, and each shown to extend the one before it: the RFC 6962 consistency proof between
 * the two is built here from the log's public tiles (/logs/<discom>/tile/…, c2sp.org/tlog-tiles)
 * and checked against both signed roots, so neither the tiles nor the node are trusted for it.
 */
export async function loadCheckpointHistory(box: HTMLElement, discomId: string, vkeyText: string): Promise<void> {
  replace(box, loading(`the checkpoints of ${discomId}`));
  try {
    const h = await apiJson<History>(`/v1/checkpoints?discom=${encodeURIComponent(discomId)}&limit=20`, { auth: false });
    if (h.checkpoints.length === 0) return replace(box, empty(`${discomId} has no receipt stored yet.`));
    const keys = vkeysOf(vkeyText);
    const trust = keys.length === 0 ? undefined : await trustFromVerifierKeys(keys).catch(() => undefined);
    const tiles = tileNodeReader(h.checkpoints[0]!.size, async (path) => new Uint8Array(await (await apiGet(`/logs/${encodeURIComponent(h.discomId)}/${path}`, { auth: false, accept: 'application/octet-stream' })).arrayBuffer()));
    const extensions = trust ? await Promise.all(h.checkpoints.map((c, i) => (i + 1 < h.checkpoints.length ? extendsEarlier(h.checkpoints[i + 1]!.note, c.note, trust, tiles) : undefined))) : [];
    const extended = extensions.filter((e) => e?.ok).length;
    replace(box,
      el('p', { 'data-testid': 'checkpoint-count' }, `${plural(h.checkpoints.length, 'checkpoint')} of ${h.discomId}, newest first${trust ? `, each checked in this browser with the notary key above; ${extended} of ${h.checkpoints.length - 1} shown to extend the one before (consistency proofs built here from the log's public tiles)` : ' (pick or paste the notary key to check their signatures and consistency here)'}.`),
      table([{ text: 'size (entries)', num: true }, 'root hash', 'latest batch receipted with it, accepted', 'notary signature', 'extends the one below'], h.checkpoints.map((c, i) => {
        const v = trust ? verifyCheckpoint(c.note, trust) : undefined;
        const x = extensions[i];
        return [c.size.toLocaleString('en-IN'), el('code', {}, c.rootHash), istTime(c.lastAcceptedAt),
          v === undefined ? 'not checked' : v.ok ? el('span', { class: 'outcome-ok' }, 'verified') : el('span', { class: 'outcome-bad' }, `${v.code}: ${v.reason}`),
          x === undefined ? (trust && i + 1 === h.checkpoints.length ? 'the oldest shown' : 'not checked') : x.ok ? el('span', { class: 'outcome-ok', 'data-consistency': 'ok' }, `consistent (proof of ${plural(x.hashes, 'hash', 'hashes')})`) : el('span', { class: 'outcome-bad', 'data-consistency': 'bad' }, `${x.code}: ${x.reason}`)];
      })));
  } catch (err) {
    replace(box, problemBox(err));
  }
}

type Extension = { ok: true; hashes: number } | { ok: false; code: string; reason: string };

/** Whether the checkpoint `newer` extends `older` of the same log, by a consistency proof built from the tiles. */
async function extendsEarlier(older: string, newer: string, trust: TrustAnchors, tiles: GetNodes): Promise<Extension> {
  const a = verifyCheckpoint(older, trust);
  const b = verifyCheckpoint(newer, trust);
  if (!a.ok || !b.ok) return { ok: false, code: 'NOT_CHECKED', reason: 'a checkpoint of the pair is not signed by the key above' };
  try {
    const proof = await consistencyProofFromNodes(RFC6962_SHA256, a.checkpoint.size, b.checkpoint.size, tiles);
    const b64 = proof.map((p) => btoa(String.fromCharCode(...p)));
    const v = verifyCheckpointConsistency(older, newer, b64, trust);
    return v.ok ? { ok: true, hashes: proof.length } : { ok: false, code: v.code, reason: v.reason };
  } catch (err) {
    return { ok: false, code: (err as { code?: string }).code ?? 'TILES_UNAVAILABLE', reason: (err as Error).message };
  }
}

/**
 * The latest witnessed checkpoint verified in this browser: the notary's signature with the
 * key above and the cosignatures (c2sp.org/tlog-cosignature) with the witness policy's keys,
 * as the node states them (compare them out of band), and the quorum. Shows each witness's
 * cosignature time.
 */
export async function verifyWitnessed(out: HTMLElement, note: string, policy: WitnessPolicy, vkeyText: string, origin: string | undefined): Promise<void> {
  try {
    const keys = vkeysOf(vkeyText);
    if (keys.length === 0) throw new Error("paste the notary's verifier key (or use this node's published keys) first");
    const cosigners = policy.witnesses.map((w) => parseCosignerKey(w.vkey));
    const trust = { ...(await trustFromVerifierKeys(keys, origin)), witnesses: { keys: cosigners, quorum: policy.quorum } };
    const v = verifyCheckpoint(note, trust);
    const cos = verifyCosignatures(note, cosigners);
    replace(out,
      el('div', { class: `verdict ${v.ok ? 'ok' : 'bad'}`, 'data-testid': 'witnessed-verdict' }, v.ok ? 'VERIFIED' : 'NOT VERIFIED'),
      el('p', { 'data-testid': 'witnessed-summary' }, v.ok
        ? `checkpoint of ${plural(v.checkpoint.size, 'entry', 'entries')} signed by the notary and cosigned by ${v.witnessedBy.join(', ')} (quorum ${policy.quorum} of ${policy.witnesses.length})`
        : `${v.code}: ${v.reason}`),
      cos.ok && cos.cosignatures.length > 0 ? table(['witness', 'cosigned at'], cos.cosignatures.map((c) => [c.cosigner.name, istTime(c.timestamp * 1000)])) : null,
      el('p', { class: 'hint' }, `Checked in this browser at ${istTime(Date.now())} with @ies/verify; the witness keys are the policy this node states: compare them with the witnesses' own (GET <witness>/vkey).`));
  } catch (err) {
    replace(out, problemBox(err));
  }
}
