import { rowOfReceipt, type ReceiptRecord, type ReceiptRow } from '../domain/receipts.js';
import type { RowBinaryWriter } from '../row-binary.js';
import { oneRowSink, type Sink } from '../sink.js';

/** Columns of `receipts` (migrations/0006_receipts.sql, 0016, 0017), in the order `writeReceipt` and then the sink write them. */
export const RECEIPT_COLUMNS = ['discom_id', 'log_index', 'batch_id', 'head_end_id', 'read_count', 'batch_root', 'accepted_at', 'accepted_at_ms', 'checkpoint', 'inclusion_proof', 'jws', 'loaded_at_ms', 'notarised_at_ms'] as const;

/** receipts.v1 → receipts (and receipts_by_batch through its materialized view). */
export const receiptsSink: Sink<ReceiptRecord> = oneRowSink({
  topic: 'receipts',
  table: 'receipts',
  columns: RECEIPT_COLUMNS,
  // When the notary sent the receipt (its Kafka timestamp) and when the loader stores it ride
  // with the row: stage times for the lags, not part of the receipt.
  rowOf: (record: ReceiptRecord, { tenant, loadedAtMs, producedAtMs }) => {
    const { row, refused } = rowOfReceipt(record, tenant);
    return refused !== undefined ? { refused } : { row: { receipt: row as ReceiptRow, loadedAtMs: loadedAtMs ?? Date.now(), notarisedAtMs: producedAtMs !== undefined && producedAtMs > 0 ? producedAtMs : 0 } };
  },
  writeRow: (out, { receipt, loadedAtMs, notarisedAtMs }: { receipt: ReceiptRow; loadedAtMs: number; notarisedAtMs: number }) => {
    writeReceipt(out, receipt);
    out.uint64(loadedAtMs);
    out.uint64(notarisedAtMs);
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
