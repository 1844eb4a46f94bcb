import { Buffer } from 'buffer';
import { RFC6962_SHA256, verifyInclusion } from '@ies/merkle';
import { canonicalReadBytes, type PublicRead } from './canonical-read.js';
import type { Checkpoint } from './checkpoint.js';
import { logEntryBytes, type LogEntry } from './log-entry.js';
import { verifyCheckpoint, type TrustAnchors, type Verified } from './verify.js';

/**
 * A c2sp.org/tlog-proof@v1 file for a batch's log entry (and, optionally, one read of it):
 *
 *   c2sp.org/tlog-proof@v1
 *   extra <base64 of the project's extension, below>
 *   index <log index>
 *   <inclusion proof, one base64 hash per line, leaf's sibling first>
 *   (empty line)
 *   <the checkpoint note, verbatim, with its witnesses' cosignatures>
 *
 * The extension (`extra`, RFC 8785 JSON, docs/notary-formats.md) carries what a verifier
 * needs to compute the leaf hash: `{"v":1,"entry":{…log entry…}}`, and for a read also
 * `"read": {…public read…}, "indexInBatch": k, "batchPath": […]`: the read's RFC 6962 path
 * in its batch tree, whose root is the entry's `batchRoot`.
 */
export const TLOG_PROOF_HEADER = 'c2sp.org/tlog-proof@v1';

export interface TlogProofExtra {
  readonly v: 1;
  readonly entry: LogEntry;
  readonly read?: PublicRead & { readonly blockStart: number | string };
  readonly indexInBatch?: number;
  readonly batchPath?: readonly string[];
}

export interface TlogProof {
  readonly extra: TlogProofExtra;
  readonly index: number;
  readonly proof: readonly string[];
  readonly checkpoint: string;
}

export function formatTlogProof(p: TlogProof): string {
  const extra = Buffer.from(JSON.stringify(p.extra)).toString('base64');
  return `${TLOG_PROOF_HEADER}\nextra ${extra}\nindex ${p.index}\n${p.proof.map((h) => `${h}\n`).join('')}\n${p.checkpoint}`;
}

export function parseTlogProof(text: string): { ok: true; proof: TlogProof } | { ok: false; reason: string } {
  const lines = text.split('\n');
  if (lines[0] !== TLOG_PROOF_HEADER) return { ok: false, reason: `the first line is not ${TLOG_PROOF_HEADER}` };
  let at = 1;
  let extra: TlogProofExtra | undefined;
  if (lines[at]?.startsWith('extra ')) {
    try {
      extra = JSON.parse(Buffer.from(lines[at]!.slice(6), 'base64').toString('utf8')) as TlogProofExtra;
    } catch {
      return { ok: false, reason: 'the extra line is not base64 of the JSON extension' };
    }
    at += 1;
  }
  const m = /^index (0|[1-9][0-9]*)$/.exec(lines[at] ?? '');
  if (!m) return { ok: false, reason: 'no "index <n>" line' };
  at += 1;
  const proof: string[] = [];
  for (; at < lines.length && lines[at] !== ''; at += 1) {
    if (!/^[A-Za-z0-9+/]{43}=$/.test(lines[at]!)) return { ok: false, reason: `proof line ${proof.length + 1} is not a base64 SHA-256 hash` };
    proof.push(lines[at]!);
  }
  if (at >= lines.length) return { ok: false, reason: 'no empty line before the checkpoint' };
  if (!extra || extra.v !== 1 || typeof extra.entry !== 'object' || extra.entry === null) return { ok: false, reason: 'this verifier needs the extra line with the log entry ({"v":1,"entry":…})' };
  return { ok: true, proof: { extra, index: Number(m[1]), proof, checkpoint: lines.slice(at + 1).join('\n') } };
}

const unb64 = (text: string): Uint8Array => new Uint8Array(Buffer.from(text, 'base64'));

/**
 * Verifies a tlog proof offline (c2sp.org/tlog-proof "Verifying"): the leaf hash from the
 * extension's entry, the checkpoint by the log key and the trust's witness policy, the
 * entry's inclusion at `index`, and, for a read, the read's inclusion in the entry's batch.
 */
export function verifyTlogProof(text: string, trust: TrustAnchors): Verified<{ checkpoint: Checkpoint; witnessedBy: readonly string[]; proof: TlogProof }> {
  const parsed = parseTlogProof(text);
  if (!parsed.ok) return { ok: false, code: 'MALFORMED', reason: `tlog proof: ${parsed.reason}` };
  const p = parsed.proof;
  const cp = verifyCheckpoint(p.checkpoint, trust);
  if (!cp.ok) return cp;
  const { size, rootHash } = cp.checkpoint;
  if (p.index >= size) return { ok: false, code: 'INDEX_OUT_OF_RANGE', reason: `index ${p.index} is not inside the checkpoint's ${size} entries` };
  let leaf: Uint8Array;
  try {
    leaf = RFC6962_SHA256.hashLeaf(logEntryBytes(p.extra.entry));
  } catch (err) {
    return { ok: false, code: 'MALFORMED', reason: `the extension's entry: ${(err as Error).message}` };
  }
  const included = verifyInclusion(RFC6962_SHA256, p.index, size, leaf, p.proof.map(unb64), rootHash);
  if (!included.ok) return { ok: false, code: 'INCLUSION_MISMATCH', reason: `entry ${p.index} (batch ${p.extra.entry.batchId}) is not proven in the checkpoint of size ${size}: ${included.reason}` };
  const { read, indexInBatch, batchPath } = p.extra;
  if (read !== undefined) {
    if (indexInBatch === undefined || !Array.isArray(batchPath)) return { ok: false, code: 'MALFORMED', reason: 'a read in the extension needs indexInBatch and batchPath' };
    const r = { ...read, blockStart: typeof read.blockStart === 'string' ? Date.parse(read.blockStart) : read.blockStart };
    if (r.discomId !== p.extra.entry.discomId) return { ok: false, code: 'READ_NOT_IN_BATCH', reason: `a read of ${r.discomId} cannot be in a batch of ${p.extra.entry.discomId}` };
    let readLeaf: Uint8Array;
    try {
      readLeaf = RFC6962_SHA256.hashLeaf(canonicalReadBytes(r));
    } catch (err) {
      return { ok: false, code: 'MALFORMED', reason: `read: ${(err as Error).message}` };
    }
    const inBatch = verifyInclusion(RFC6962_SHA256, indexInBatch, p.extra.entry.readCount, readLeaf, batchPath.map(unb64), unb64(p.extra.entry.batchRoot));
    if (!inBatch.ok) return { ok: false, code: 'READ_NOT_IN_BATCH', reason: `read ${r.meterId} ${new Date(r.blockStart).toISOString()} ${r.channel} is not leaf ${indexInBatch} of batch ${p.extra.entry.batchId}: ${inBatch.reason}` };
  }
  return { ok: true, checkpoint: cp.checkpoint, witnessedBy: cp.witnessedBy, proof: p };
}
