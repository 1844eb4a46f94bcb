import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import type { JWK } from 'jose';
import { trustFromVerifierKeys, verifyCheckpoint, type TrustAnchors } from '@ies/verify';
import { verifyStatementJws, type CheckpointRef, type StatementContent } from '@ies/verify';

export type StatementVerdict = { ok: true; message: string; content: StatementContent } | { ok: false; code: string; reason: string };

/**
 * A signed statement checked with public keys alone: the JWS under a SETTLEMENT key of the
 * DISCOM's JWKS, its payload the canonical JSON, its flows summing to zero (checkZeroSum),
 * and, with checkpoint notes and the notary's verifier key, every evidence checkpoint
 * {origin, size, rootHash} matching a checkpoint signed by the notary.
 */
export async function verifyStatementFile(jws: string, jwks: readonly JWK[], evidence?: { notes: readonly string[]; trust: TrustAnchors }): Promise<StatementVerdict> {
  const r = await verifyStatementJws(jws, jwks);
  if (!r.ok) return { ok: false, code: r.code, reason: r.reason };
  const c = r.content;
  let evidenceNote = `${c.evidence.length} evidence checkpoint(s) not checked (give --checkpoints DIR --vkey KEY)`;
  if (evidence !== undefined) {
    const signed = new Map<string, string>();
    for (const note of evidence.notes) {
      const v = verifyCheckpoint(note, evidence.trust);
      if (v.ok) signed.set(`${v.checkpoint.origin}\n${v.checkpoint.size}`, Buffer.from(v.checkpoint.rootHash).toString('base64'));
    }
    for (const e of c.evidence as readonly CheckpointRef[]) {
      const root = signed.get(`${e.origin}\n${e.size}`);
      if (root === undefined) return { ok: false, code: 'EVIDENCE_UNVERIFIED', reason: `no checkpoint of ${e.origin} at size ${e.size} signed by the notary key among the ${evidence.notes.length} note(s) given` };
      if (root !== e.rootHash) return { ok: false, code: 'EVIDENCE_MISMATCH', reason: `the notary signed root ${root} for ${e.origin} at size ${e.size}; the statement cites ${e.rootHash}` };
    }
    evidenceNote = `${c.evidence.length} evidence checkpoint(s) match notary-signed checkpoints`;
  }
  return { ok: true, content: c, message: `statement ${c.id} (${c.complete ? 'complete' : 'incomplete'}, ${c.lines.length} lines, net ${c.totals.netPaise} paise, sha256 ${r.sha256}) signed by kid ${r.kid}; zero-sum holds; ${evidenceNote}` };
}

/** JWKS from a file or an http(s) URL. */
export async function loadJwks(source: string): Promise<JWK[]> {
  const text = /^https?:\/\//.test(source) ? await (await fetch(source)).text() : await readFile(source, 'utf8');
  const doc = JSON.parse(text) as { keys?: JWK[] };
  if (!Array.isArray(doc.keys)) throw new Error(`${source} is not a JWKS ({"keys": […]})`);
  return doc.keys;
}

/** Every file of DIR, read as text (checkpoint notes). */
export async function readNotes(dir: string): Promise<string[]> {
  const names = (await readdir(dir)).sort();
  return Promise.all(names.map((n) => readFile(path.join(dir, n), 'utf8')));
}

/** `ies verify statement FILE --jwks FILE|URL [--checkpoints DIR --vkey KEY]`: exit 0, 1 or 2. */
export async function runVerifyStatement(file: string | undefined, options: Map<string, string | true>, read: (f: string) => Promise<string>, usage: string): Promise<number> {
  const jwksSource = options.get('jwks');
  const dir = options.get('checkpoints');
  const vkey = options.get('vkey');
  if (file === undefined || typeof jwksSource !== 'string' || (dir !== undefined && typeof dir !== 'string') || (dir !== undefined && typeof vkey !== 'string')) {
    console.error(usage);
    return 2;
  }
  let jwks: JWK[];
  let evidence: { notes: string[]; trust: TrustAnchors } | undefined;
  try {
    jwks = await loadJwks(jwksSource);
    if (typeof dir === 'string') evidence = { notes: await readNotes(dir), trust: await trustFromVerifierKeys([vkey as string]) };
  } catch (err) {
    console.error(`ies verify: ${(err as Error).message}`);
    return 2;
  }
  const v = await verifyStatementFile(await read(file), jwks, evidence);
  if (v.ok) console.log(`VERIFIED: ${v.message}`);
  else console.error(`NOT VERIFIED: ${v.code}: ${v.reason}`);
  return v.ok ? 0 : 1;
}
