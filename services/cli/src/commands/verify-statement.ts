import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import type { JWK } from 'jose';
import { parseCosignerKey, trustFromVerifierKeys, verifyCheckpoint, verifyWitnessedExtension, type Checkpoint, type TrustAnchors } from '@ies/verify';
import { verifyStatementJws, type CheckpointRef, type StatementContent } from '@ies/verify';

export type StatementVerdict = { ok: true; message: string; content: StatementContent } | { ok: false; code: string; reason: string };

/**
 * A signed statement checked with public keys alone: the JWS under a SETTLEMENT key of the
 * DISCOM's JWKS, its payload the canonical JSON, its flows summing to zero (checkZeroSum),
 * and, with checkpoint notes and the notary's verifier key, every evidence checkpoint
 * {origin, size, rootHash} matching a checkpoint signed by the notary. Under a witness policy
 * (trust.witnesses), each evidence checkpoint must also be extended by a checkpoint the
 * policy's witnesses cosigned, through a consistency proof among `proofs`.
 */
export interface StatementEvidence {
  readonly notes: readonly string[];
  readonly trust: TrustAnchors;
  /** Consistency proofs from cited checkpoints to witnessed ones (`*.consistency.json`). */
  readonly proofs?: readonly ConsistencyFile[];
}

/** A consistency proof as saved by `ies statements pull`: between two sizes of the log of `origin`. */
export interface ConsistencyFile {
  readonly origin: string;
  readonly first: number;
  readonly second: number;
  readonly proof: readonly string[];
}

export async function verifyStatementFile(jws: string, jwks: readonly JWK[], evidence?: StatementEvidence): Promise<StatementVerdict> {
  const r = await verifyStatementJws(jws, jwks);
  if (!r.ok) return { ok: false, code: r.code, reason: r.reason };
  const c = r.content;
  let evidenceNote = `${c.evidence.length} evidence checkpoint(s) not checked (give --checkpoints DIR --vkey KEY)`;
  if (evidence !== undefined) {
    const signed = new Map<string, string>();
    const notaryOnly = { ...evidence.trust, witnesses: undefined };
    const notes: { note: string; checkpoint: Checkpoint }[] = [];
    for (const note of evidence.notes) {
      const v = verifyCheckpoint(note, notaryOnly);
      if (!v.ok) continue;
      signed.set(`${v.checkpoint.origin}\n${v.checkpoint.size}`, Buffer.from(v.checkpoint.rootHash).toString('base64'));
      notes.push({ note, checkpoint: v.checkpoint });
    }
    const witnessedNotes = evidence.trust.witnesses === undefined ? [] : notes.filter((n) => verifyCheckpoint(n.note, evidence.trust).ok);
    const witnesses = new Set<string>();
    for (const e of c.evidence as readonly CheckpointRef[]) {
      const root = signed.get(`${e.origin}\n${e.size}`);
      if (root === undefined) return { ok: false, code: 'EVIDENCE_UNVERIFIED', reason: `no checkpoint of ${e.origin} at size ${e.size} signed by the notary key among the ${evidence.notes.length} note(s) given` };
      if (root !== e.rootHash) return { ok: false, code: 'EVIDENCE_MISMATCH', reason: `the notary signed root ${root} for ${e.origin} at size ${e.size}; the statement cites ${e.rootHash}` };
      if (evidence.trust.witnesses === undefined) continue;
      const by = witnessedExtension(e, witnessedNotes, evidence.proofs ?? [], evidence.trust);
      if (!by.ok) return { ok: false, code: 'EVIDENCE_NOT_WITNESSED', reason: `evidence checkpoint of ${e.origin} at size ${e.size}: ${by.reason}` };
      by.witnessedBy.forEach((w) => witnesses.add(w));
    }
    evidenceNote = `${c.evidence.length} evidence checkpoint(s) match notary-signed checkpoints${evidence.trust.witnesses === undefined ? '' : `, each extended by a checkpoint cosigned by ${[...witnesses].sort().join(', ')}`}`;
  }
  return { ok: true, content: c, message: `statement ${c.id} (${c.complete ? 'complete' : 'incomplete'}, ${c.lines.length} lines, net ${c.totals.netPaise} paise, sha256 ${r.sha256}) signed by kid ${r.kid}; zero-sum holds; ${evidenceNote}` };
}

/** The first witnessed note of the evidence's log that a given consistency proof shows extends it. */
function witnessedExtension(e: CheckpointRef, witnessedNotes: readonly { note: string; checkpoint: Checkpoint }[], proofs: readonly ConsistencyFile[], trust: TrustAnchors): { ok: true; witnessedBy: readonly string[] } | { ok: false; reason: string } {
  const earlier = { origin: e.origin, size: e.size, rootHash: new Uint8Array(Buffer.from(e.rootHash, 'base64')) };
  let last = `no checkpoint of ${e.origin} cosigned by the witness policy's quorum among the notes given`;
  for (const { note, checkpoint: { origin, size } } of witnessedNotes) {
    if (origin !== e.origin || size < e.size) continue;
    const proof = size === e.size ? { proof: [] } : proofs.find((p) => p.origin === e.origin && p.first === e.size && p.second === size);
    if (proof === undefined) {
      last = `no consistency proof from size ${e.size} to the witnessed size ${size} among the proofs given`;
      continue;
    }
    const v = verifyWitnessedExtension(earlier, { checkpoint: note, consistency: proof.proof }, trust);
    if (v.ok) return { ok: true, witnessedBy: v.witnessedBy };
    last = `${v.code}: ${v.reason}`;
  }
  return { ok: false, reason: last };
}

/** A witness policy from cosigner vkeys (comma-separated) and a quorum; undefined without keys. */
export function witnessPolicyOf(keys: string | undefined, quorum: string | undefined): TrustAnchors['witnesses'] {
  const vkeys = (keys ?? '').split(',').map((k) => k.trim()).filter(Boolean);
  if (vkeys.length === 0) return undefined;
  const n = quorum === undefined ? 1 : Number(quorum);
  if (!Number.isSafeInteger(n) || n < 1) throw new Error(`--quorum must be a whole number ≥ 1, not ${quorum}`);
  return { keys: vkeys.map((k) => parseCosignerKey(k)), quorum: n };
}

/** JWKS from a file or an http(s) URL. */
export async function loadJwks(source: string): Promise<JWK[]> {
  const text = /^https?:\/\//.test(source) ? await (await fetch(source)).text() : await readFile(source, 'utf8');
  const doc = JSON.parse(text) as { keys?: JWK[] };
  if (!Array.isArray(doc.keys)) throw new Error(`${source} is not a JWKS ({"keys": […]})`);
  return doc.keys;
}

/** Every file of DIR, read as text: checkpoint notes, and consistency proofs (`*.consistency.json`). */
export async function readNotes(dir: string): Promise<{ notes: string[]; proofs: ConsistencyFile[] }> {
  const names = (await readdir(dir)).sort();
  const texts = await Promise.all(names.map(async (n) => [n, await readFile(path.join(dir, n), 'utf8')] as const));
  return {
    notes: texts.filter(([n]) => !n.endsWith('.consistency.json')).map(([, t]) => t),
    proofs: texts.filter(([n]) => n.endsWith('.consistency.json')).map(([, t]) => JSON.parse(t) as ConsistencyFile),
  };
}

/** `ies verify statement FILE --jwks FILE|URL [--checkpoints DIR --vkey KEY [--witness KEYS --quorum N]]`: exit 0, 1 or 2. */
export async function runVerifyStatement(file: string | undefined, options: Map<string, string | true>, read: (f: string) => Promise<string>, usage: string): Promise<number> {
  const jwksSource = options.get('jwks');
  const dir = options.get('checkpoints');
  const vkey = options.get('vkey');
  if (file === undefined || typeof jwksSource !== 'string' || (dir !== undefined && typeof dir !== 'string') || (dir !== undefined && typeof vkey !== 'string')) {
    console.error(usage);
    return 2;
  }
  let jwks: JWK[];
  let evidence: StatementEvidence | undefined;
  try {
    jwks = await loadJwks(jwksSource);
    const witness = options.get('witness');
    const quorum = options.get('quorum');
    const witnesses = witnessPolicyOf(typeof witness === 'string' ? witness : undefined, typeof quorum === 'string' ? quorum : undefined);
    if (typeof dir === 'string') evidence = { ...(await readNotes(dir)), trust: { ...(await trustFromVerifierKeys([vkey as string])), ...(witnesses ? { witnesses } : {}) } };
  } catch (err) {
    console.error(`ies verify: ${(err as Error).message}`);
    return 2;
  }
  const v = await verifyStatementFile(await read(file), jwks, evidence);
  if (v.ok) console.log(`VERIFIED: ${v.message}`);
  else console.error(`NOT VERIFIED: ${v.code}: ${v.reason}`);
  return v.ok ? 0 : 1;
}
