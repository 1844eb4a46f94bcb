import { parseStrictJson } from '@ies/crypto';
import { normaliseBatch, type BatchFormat, type IngestContext, type IngestResult, type RejectedRead } from '@ies/meterdata';

/** The fields of a batch the 202 answer is made of: all of them are on its meter-batches.v1 record but `ignoredProfiles`. */
export interface AcceptedBatch {
  batchId: string;
  discomId: string;
  headEndId: string;
  /** The gateway's clock when it accepted the batch (UTC epoch ms), as on the record. */
  receivedAt: number;
  format: BatchFormat;
  /** The accepted reads (only their number is answered). */
  reads: { readonly length: number };
  rejected: readonly RejectedRead[];
  ignoredProfiles: IngestResult['ignoredProfiles'];
}

/**
 * The 202 answer to an accepted batch. The intake builds it from the normalised batch and
 * the replay-ledger keeper from the batch's record after a Redis loss; one function, so a
 * replay after a rebuild answers what the first request was answered.
 */
export function acceptedBatchResponse(b: AcceptedBatch) {
  return {
    batchId: b.batchId,
    discomId: b.discomId,
    headEndId: b.headEndId,
    receivedAt: new Date(b.receivedAt).toISOString(),
    format: b.format,
    counts: { reads: b.reads.length + b.rejected.length, accepted: b.reads.length, rejected: b.rejected.length },
    ignoredProfiles: b.ignoredProfiles,
    rejected: b.rejected.map(describeRejected),
    receiptUrl: `/v1/batches/${encodeURIComponent(b.batchId)}/receipt`,
  };
}

function describeRejected(r: RejectedRead) {
  return { index: r.index, path: r.path, meterId: r.meterId, blockStart: r.blockStart === null ? null : new Date(r.blockStart).toISOString(), channel: r.channel, code: r.code, message: r.message };
}

/** What a meter-batches.v1 record holds of the answer (receivedAt as decoded: epoch ms). */
export type AcceptedBatchRecord = Omit<AcceptedBatch, 'ignoredProfiles'> & { body: Uint8Array };

/**
 * The answer an accepted batch got, from its record. `ignoredProfiles` is the one field not
 * on the record: compact CSV has none, and an IES MeterData body is normalised again with
 * `context` (the registry at the record's receivedAt, as the notary and the loader re-verify
 * it), which counts the same profiles. Throws what normalising throws.
 */
export function answerFromRecord(record: AcceptedBatchRecord, context: IngestContext) {
  const ignoredProfiles = record.format === 'COMPACT_CSV' ? {} : normaliseBatch(record.format, record.body, context, parseStrictJson).ignoredProfiles;
  return acceptedBatchResponse({ ...record, ignoredProfiles });
}
