import { rowsOfBatch, type MeterBatchRecord } from '../domain/rows.js';
import { READ_COLUMNS, writeReadRowBinary } from '../row-encoding.js';
import type { Sink } from '../sink.js';

/**
 * meter-batches.v1 → reads (and reads_by_batch through its materialized view); each
 * accepted read is one row. (Encoding straight from the decoded record, without row
 * objects, measured no faster: README "Throughput".)
 */
export const meterBatchesSink: Sink<MeterBatchRecord> = {
  topic: 'meterBatches',
  table: 'reads',
  columns: READ_COLUMNS,
  write(batch, { tenant }, out) {
    const { reads, deadLetters } = rowsOfBatch(batch, tenant);
    for (const r of reads) writeReadRowBinary(out, r);
    return { rows: reads.length, deadLetters };
  },
};
