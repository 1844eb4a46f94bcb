/**
 * The evidence of a dispute must prove what it is cited for, checked with @ies/verify
 * against the notary keys of the log the read belongs to (the tenant's own, or a hosted
 * counterparty DISCOM's), as an auditor would offline:
 *
 *   READ_PROOF / TLOG_PROOF  the read verifies (path in its batch tree, batch receipt or
 *                            log inclusion, checkpoint signed by the log's key) and is a read
 *                            of a disputed line's meter inside that line's interval
 *   RECEIPT                  the batch receipt verifies (supporting: a batch was received)
 *   NO_READ                  the node holds no read of that meter, block and channel, and the
 *                            block is inside a disputed line's interval of that meter
 *
 * A READ_VALUE dispute cites at least one proven read, a NO_READ dispute at least one
 * absent read; a CHARGE dispute needs none (the statement and the pack are its evidence).
 * A forged, unrelated or foreign proof is IES_ERR_DISPUTE_EVIDENCE_INVALID.
 */
import { parseTlogProof, verifyReadProof, verifyReceipt, verifyTlogProof, type PublicRead, type TrustAnchors } from '@ies/verify';
import { SettlementError } from './codes.js';
import type { DisputeDocument, MatchedLine } from './dispute.js';

export interface EvidenceContext {
  /** The notary trust anchors of a DISCOM's log, when this node knows it. */
  trustOf(discomId: string): Promise<TrustAnchors | undefined>;
  /** Whether the node holds an accepted read of the meter, block and channel in the DISCOM. */
  hasRead(discomId: string, read: { meterId: string; blockStart: number; channel: 'IMPORT' | 'EXPORT' }): Promise<boolean>;
}

/** What the evidence proved: the reads (as proven) and the absent reads, for the dispute's record. */
export interface ProvenEvidence {
  readonly reads: readonly (PublicRead & { readonly evidence: number })[];
  readonly absent: readonly { readonly meterId: string; readonly blockStart: number; readonly channel: string; readonly evidence: number }[];
}

const refuse = (i: number, message: string) => new SettlementError('IES_ERR_DISPUTE_EVIDENCE_INVALID', `evidence[${i}]: ${message}`, [{ code: 'IES_ERR_DISPUTE_EVIDENCE_INVALID', path: `$.evidence[${i}]`, message }]);

export async function checkEvidence(doc: DisputeDocument, matched: readonly MatchedLine[], statementDiscomId: string, ctx: EvidenceContext): Promise<ProvenEvidence> {
  const reads: (PublicRead & { evidence: number })[] = [];
  const absent: { meterId: string; blockStart: number; channel: string; evidence: number }[] = [];
  const trust = async (i: number, discomId: string) => {
    const t = await ctx.trustOf(discomId);
    if (t === undefined) throw refuse(i, `no notary log of ${discomId} is known on this node`);
    return t;
  };
  // A read counts for a disputed line of its meter whose interval holds its block.
  const related = (i: number, meterId: string, blockStart: number) => {
    const line = matched.find((m) => m.stated.meterId === meterId && m.stated.intervalStartMs !== null && m.stated.intervalEndMs !== null && blockStart >= m.stated.intervalStartMs && blockStart < m.stated.intervalEndMs);
    if (line === undefined) throw refuse(i, `a read of meter ${meterId} at ${new Date(blockStart).toISOString()} belongs to none of the disputed lines (their meters and intervals)`);
  };
  for (const [i, e] of doc.evidence.entries()) {
    switch (e.kind) {
      case 'READ_PROOF': {
        const read = e.proof?.read;
        if (typeof read?.discomId !== 'string') throw refuse(i, 'a read proof is {read, indexInBatch, batchPath, receipt}');
        const verified = await verifyReadProof(e.proof, await trust(i, read.discomId));
        if (!verified.ok) throw refuse(i, `the read proof does not verify: ${verified.code}: ${verified.reason}`);
        const blockStart = typeof read.blockStart === 'string' ? Date.parse(read.blockStart) : read.blockStart;
        related(i, read.meterId, blockStart);
        reads.push({ ...read, blockStart, evidence: i });
        break;
      }
      case 'TLOG_PROOF': {
        const parsed = parseTlogProof(e.text);
        if (!parsed.ok) throw refuse(i, `the tlog proof does not parse: ${parsed.reason}`);
        const verified = verifyTlogProof(e.text, await trust(i, parsed.proof.extra.entry.discomId));
        if (!verified.ok) throw refuse(i, `the tlog proof does not verify: ${verified.code}: ${verified.reason}`);
        const read = verified.proof.extra.read;
        if (read === undefined) throw refuse(i, 'the tlog proof is of a batch, not of a read (GET /v1/reads/tlog-proof)');
        const blockStart = typeof read.blockStart === 'string' ? Date.parse(read.blockStart) : read.blockStart;
        related(i, read.meterId, blockStart);
        reads.push({ ...read, blockStart, evidence: i });
        break;
      }
      case 'RECEIPT': {
        const discomId = e.receipt?.receipt?.discomId;
        if (typeof discomId !== 'string') throw refuse(i, 'a receipt document is {receipt, jws}');
        const verified = await verifyReceipt(e.receipt, await trust(i, discomId));
        if (!verified.ok) throw refuse(i, `the receipt does not verify: ${verified.code}: ${verified.reason}`);
        break;
      }
      case 'NO_READ': {
        const blockStart = Date.parse(e.blockStart);
        related(i, e.meterId, blockStart);
        // The meter's DISCOM: the statement's own, or the counterparty DISCOM of the line.
        const line = matched.find((m) => m.stated.meterId === e.meterId)!;
        const discomId = line.stated.counterparty.startsWith('discom:') ? line.stated.counterparty.slice(7) : statementDiscomId;
        if (await ctx.hasRead(discomId, { meterId: e.meterId, blockStart, channel: e.channel })) throw refuse(i, `the node holds a read of meter ${e.meterId} at ${new Date(blockStart).toISOString()} ${e.channel}: it is not absent`);
        absent.push({ meterId: e.meterId, blockStart, channel: e.channel, evidence: i });
        break;
      }
    }
  }
  if (doc.type === 'READ_VALUE' && reads.length === 0) throw new SettlementError('IES_ERR_DISPUTE_EVIDENCE_INVALID', 'a READ_VALUE dispute cites at least one proven read (READ_PROOF or TLOG_PROOF)');
  if (doc.type === 'NO_READ' && absent.length === 0) throw new SettlementError('IES_ERR_DISPUTE_EVIDENCE_INVALID', 'a NO_READ dispute names at least one absent read (NO_READ)');
  return { reads, absent };
}
