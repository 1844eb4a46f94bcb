import { batchRefusal, rowsOfBatch, type MeterBatchRecord } from '../domain/rows.js';
import { isWireBatch, MeterBatchWire, writeWireReads } from '../meter-batch-wire.js';
import { READ_COLUMNS, writeReadRowBinary } from '../row-encoding.js';
import { NOTHING_REFUSED, type Sink } from '../sink.js';

/**
 * meter-batches.v1 → reads (and reads_by_batch through its materialized view); each
 * accepted read is one row. A batch the loader decoded with MeterBatchWire has its rows
 * written straight from its Avro bytes; any other, or one with a read to refuse, goes
 * through row objects.
 */
export const meterBatchesSink: Sink<MeterBatchRecord> = {
  topic: 'meterBatches',
  table: 'reads',
  columns: READ_COLUMNS,
  decoder: (serde) => new MeterBatchWire(serde),
  write(batch, { tenant }, out) {
    if (isWireBatch(batch) && batchRefusal(batch, tenant) === undefined) {
      const rows = writeWireReads(batch, out);
      if (rows !== undefined) return { rows, deadLetters: NOTHING_REFUSED };
    }
    const { reads, deadLetters } = rowsOfBatch(batch, tenant);
    for (const r of reads) writeReadRowBinary(out, r);
    return { rows: reads.length, deadLetters };
  },
};
