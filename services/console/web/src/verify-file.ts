import {
  TLOG_PROOF_HEADER, checkpointOfNote, receiptFromJws, trustFromVerifierKeys, verifyCheckpoint, verifyReadProof, verifyReceipt, verifyStatementJws, verifyTlogProof,
  type ReadProofDocument, type ReceiptDocument,
} from '@ies/verify';
import { formatRupees } from '@ies/units';
import { istTime } from './time.js';

/**
 * A dropped file verified in the browser with the project's own verifier (@ies/verify, its
 * browser build): the node that served the page is not trusted for the verdict, only the
 * verifier key (and JWKS for statements) the user supplies.
 */
export type FileKind = 'read proof' | 'receipt' | 'tlog-proof' | 'checkpoint' | 'statement';
export type Verdict = { readonly kind: FileKind | 'unknown'; readonly ok: boolean; readonly summary: string };

type Jwk = { kty: string; kid?: string } & Record<string, unknown>;

export function detectKind(text: string): FileKind | 'unknown' {
  const t = text.trim();
  if (t.startsWith(TLOG_PROOF_HEADER)) return 'tlog-proof';
  if (/^[\w-]+\.[\w-]+\.[\w-]+$/.test(t)) {
    try {
      const header = JSON.parse(atob(t.split('.')[0]!.replace(/-/g, '+').replace(/_/g, '/'))) as { typ?: string };
      return header.typ === 'ies-statement+jws' ? 'statement' : 'receipt';
    } catch {
      return 'unknown';
    }
  }
  if (t.startsWith('{')) {
    try {
      const doc = JSON.parse(t) as Record<string, unknown>;
      if (doc['read'] && doc['receipt']) return 'read proof';
      if (doc['receipt'] && doc['jws']) return 'receipt';
    } catch {
      return 'unknown';
    }
    return 'unknown';
  }
  if (text.includes('\n\n\u2014 ') && checkpointOfNote(text).ok) return 'checkpoint';
  return 'unknown';
}

export async function verifyFile(text: string, keys: { vkey: string; jwks: string }): Promise<Verdict> {
  const kind = detectKind(text);
  if (kind === 'unknown') return { kind, ok: false, summary: 'MALFORMED: not a read proof, receipt, tlog-proof, checkpoint or signed statement' };
  if (kind === 'statement') {
    let jwks: Jwk[];
    try {
      jwks = (JSON.parse(keys.jwks) as { keys: Jwk[] }).keys;
      if (!Array.isArray(jwks)) throw new Error('no "keys" array');
    } catch (err) {
      return { kind, ok: false, summary: `a statement is verified against the DISCOM's JWKS: paste or pick one (${(err as Error).message})` };
    }
    const r = await verifyStatementJws(text.trim(), jwks);
    return r.ok
      ? { kind, ok: true, summary: `statement ${r.content.id} of ${r.content.discomId}, R${r.content.version}, ${r.content.lines.length} lines; receivable ${formatRupees(r.content.totals.receivablePaise)}, payable ${formatRupees(r.content.totals.payablePaise)}, net ${formatRupees(r.content.totals.netPaise)}; signed by ${r.kid}; balances` }
      : { kind, ok: false, summary: `${r.code}: ${r.reason}` };
  }
  if (!keys.vkey.trim()) return { kind, ok: false, summary: "the notary's verifier key is needed: paste it or pick this node's" };
  let trust;
  try {
    trust = await trustFromVerifierKeys(keys.vkey.split('\n').map((k) => k.trim()).filter(Boolean));
  } catch (err) {
    return { kind, ok: false, summary: `MALFORMED_KEY: ${(err as Error).message}` };
  }
  switch (kind) {
    case 'checkpoint': {
      const r = verifyCheckpoint(text, trust);
      return r.ok ? { kind, ok: true, summary: `checkpoint of ${r.checkpoint.origin}, size ${r.checkpoint.size}` } : { kind, ok: false, summary: `${r.code}: ${r.reason}` };
    }
    case 'tlog-proof': {
      const r = verifyTlogProof(text, trust);
      return r.ok ? { kind, ok: true, summary: `entry ${r.proof.index} of ${r.checkpoint.origin} at size ${r.checkpoint.size}` } : { kind, ok: false, summary: `${r.code}: ${r.reason}` };
    }
    case 'receipt': {
      let doc: ReceiptDocument;
      try {
        const t = text.trim();
        doc = t.startsWith('{') ? (JSON.parse(t) as ReceiptDocument) : receiptFromJws(t);
      } catch (err) {
        return { kind, ok: false, summary: `MALFORMED: ${(err as Error).message}` };
      }
      const r = await verifyReceipt(doc, trust);
      return r.ok ? { kind, ok: true, summary: `batch ${doc.receipt.batchId} (${doc.receipt.readCount} reads) is entry ${doc.receipt.logIndex} of ${r.checkpoint.origin} at size ${r.checkpoint.size}` } : { kind, ok: false, summary: `${r.code}: ${r.reason}` };
    }
    case 'read proof': {
      const doc = JSON.parse(text) as ReadProofDocument;
      const r = await verifyReadProof(doc, trust);
      return r.ok
        ? { kind, ok: true, summary: `read ${doc.read.meterId}, block from ${istTime(typeof doc.read.blockStart === 'number' ? doc.read.blockStart : Date.parse(doc.read.blockStart))}, ${doc.read.channel} = ${doc.read.wh} Wh is leaf ${doc.indexInBatch} of batch ${doc.receipt.receipt.batchId}, entry ${doc.receipt.receipt.logIndex} of ${r.checkpoint.origin}` }
        : { kind, ok: false, summary: `${r.code}: ${r.reason}` };
    }
  }
}
