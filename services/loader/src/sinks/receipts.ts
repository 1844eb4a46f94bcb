import { rowOfReceipt, type ReceiptRecord, type ReceiptRow } from '../domain/receipts.js';
import type { RowBinaryWriter } from '../row-binary.js';
import { oneRowSink, type Sink } from '../sink.js';

/** Columns of `receipts` (migrations/0006_receipts.sql, 0016), in the order `writeReceipt` and then the sink write them. */
export const RECEIPT_COLUMNS = ['discom_id', 'log_index', 'batch_id', 'head_end_id', 'read_count', 'batch_root', 'accepted_at', 'accepted_at_ms', 'checkpoint', 'inclusion_proof', 'jws', 'loaded_at_ms'] as const;

/** receipts.v1 → receipts (and receipts_by_batch through its materialized view). */
export const receiptsSink: Sink<ReceiptRecord> = oneRowSink({
  topic: 'receipts',
  table: 'receipts',
  columns: RECEIPT_COLUMNS,
  // The time the loader stores the receipt rides with the row: a stage lag, not part of the receipt.
  rowOf: (record: ReceiptRecord, { tenant, loadedAtMs }) => {
    const { row, refused } = rowOfReceipt(record, tenant);
    return refused !== undefined ? { refused } : { row: { receipt: row as ReceiptRow, loadedAtMs: loadedAtMs ?? Date.now() } };
  },
  writeRow: (out, { receipt, loadedAtMs }: { receipt: ReceiptRow; loadedAtMs: number }) => {
    writeReceipt(out, receipt);
    out.uint64(loadedAtMs);
  },
});

export function writeReceipt(w: RowBinaryWriter, r: ReceiptRow): void {
  w.string(r.discomId);
  w.uint64(r.logIndex);
  w.string(r.batchId);
  w.string(r.headEndId);
  w.uint32(r.readCount);
  w.string(r.batchRoot);
  w.uint32(Math.floor(r.acceptedAtMs / 1000));
  w.uint64(r.acceptedAtMs);
  w.string(r.checkpoint);
  w.strings(r.inclusionProof);
  w.string(r.jws);
}
