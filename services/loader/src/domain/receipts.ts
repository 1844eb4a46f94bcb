/**
 * receipts.v1 records → rows of `receipts` (and, through its materialized view,
 * `receipts_by_batch`). Pure. A receipt that cannot be stored faithfully becomes a
 * dead-letter row with a code instead.
 */
import { loaderDeadLetter, type Refusable } from './rows.js';

/** receipts.v1 as decoded (schemas-avro/receipt.v1.avsc; Avro long → number). */
export interface ReceiptRecord {
  batchId: string;
  discomId: string;
  headEndId: string;
  readCount: number;
  batchRoot: string;
  acceptedAt: string;
  logIndex: number;
  checkpoint: string;
  inclusionProof: readonly string[];
  jws: string;
}

export interface ReceiptRow {
  discomId: string;
  logIndex: number;
  batchId: string;
  headEndId: string;
  readCount: number;
  batchRoot: string;
  /** acceptedAt in epoch ms (exact) and seconds (DateTime, for days and partitions). */
  acceptedAtMs: number;
  checkpoint: string;
  inclusionProof: readonly string[];
  jws: string;
}

/** `2026-11-21T04:00:00.123Z`, as the log entry writes it (Date#toISOString). */
const ISO_UTC_MS = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;
/** ClickHouse DateTime is a UInt32 of seconds: up to 2106-02-07. */
const MAX_DATETIME_MS = (2 ** 32 - 1) * 1000;

export function rowOfReceipt(r: ReceiptRecord, topicTenant: string): Refusable<ReceiptRow> {
  const sourceId = `receipt:${r.logIndex}`;
  const refuse = (code: string, message: string) => ({ refused: loaderDeadLetter(topicTenant, sourceId, code, `receipt of batch ${r.batchId} at log index ${r.logIndex}: ${message}`, 0, { batchId: r.batchId }) });
  if (r.discomId !== topicTenant) return refuse('IES_ERR_TENANT_FORBIDDEN', `names DISCOM ${r.discomId} but arrived on ${topicTenant}'s topic`);
  if (!Number.isSafeInteger(r.logIndex) || r.logIndex < 0) return refuse('IES_ERR_VALIDATION', `log index ${r.logIndex} is not a non-negative integer`);
  if (!Number.isSafeInteger(r.readCount) || r.readCount < 0) return refuse('IES_ERR_VALIDATION', `read count ${r.readCount} is negative`);
  const acceptedAtMs = ISO_UTC_MS.test(r.acceptedAt) ? Date.parse(r.acceptedAt) : NaN;
  if (!Number.isSafeInteger(acceptedAtMs) || acceptedAtMs < 0 || acceptedAtMs > MAX_DATETIME_MS) {
    return refuse('IES_ERR_VALIDATION', `acceptedAt ${JSON.stringify(r.acceptedAt)} is not an ISO 8601 UTC time with milliseconds in 1970…2106`);
  }
  return {
    row: {
      discomId: r.discomId,
      logIndex: r.logIndex,
      batchId: r.batchId,
      headEndId: r.headEndId,
      readCount: r.readCount,
      batchRoot: r.batchRoot,
      acceptedAtMs,
      checkpoint: r.checkpoint,
      inclusionProof: r.inclusionProof,
      jws: r.jws,
    },
  };
}
