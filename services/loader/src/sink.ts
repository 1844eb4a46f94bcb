import type { TopicId } from '@ies/contracts';
import type { AvroSerde } from '@ies/kafka';
import type { DeadLetterRow, Refusable } from './domain/rows.js';
import type { RecordDecoder } from './record-decode.js';
import type { RowBinaryWriter } from './row-binary.js';

/** Where a record came from; the topic's tenant is the tenant of its rows. */
export interface RecordContext {
  readonly tenant: string;
  readonly partition: number;
  /** Kafka offset of the record (a decimal string, as kafkajs gives it). */
  readonly offset: string;
  /** When the loader stores it (UTC epoch ms; default the clock): a stage time, e.g. receipts.loaded_at_ms. */
  readonly loadedAtMs?: number;
  /** The record's Kafka timestamp (UTC epoch ms, set by its producer when sending): e.g. receipts.notarised_at_ms. */
  readonly producedAtMs?: number;
}

/**
 * One topic → one ClickHouse table. `write` appends the record's rows to `out` in RowBinary,
 * in `columns` order, and returns how many it wrote and the dead letters for what it could
 * not store (they go to `dead_letters`). Rows must be keyed in the table so that writing the
 * same record again (redelivery, restart) folds in its ReplacingMergeTree.
 */
export interface Sink<T = unknown> {
  readonly topic: TopicId;
  readonly table: string;
  readonly columns: readonly string[];
  write(record: T, context: RecordContext, out: RowBinaryWriter): SinkOutcome;
  /** A faster decoder for the topic's records (one per loader, shared by its tenants); without it AvroSerde decodes them. */
  readonly decoder?: (serde: AvroSerde) => RecordDecoder;
}

export interface SinkOutcome {
  rows: number;
  deadLetters: readonly DeadLetterRow[];
}

export const NOTHING_REFUSED: readonly DeadLetterRow[] = Object.freeze([]);

/**
 * The common sink: each record is one row, or one dead letter when `rowOf` refuses it.
 * `writeRow` writes the row's fields in `columns` order.
 */
export function oneRowSink<T, Row>(spec: {
  readonly topic: TopicId;
  readonly table: string;
  readonly columns: readonly string[];
  readonly rowOf: (record: T, context: RecordContext) => Refusable<Row>;
  readonly writeRow: (out: RowBinaryWriter, row: Row) => void;
}): Sink<T> {
  return {
    topic: spec.topic,
    table: spec.table,
    columns: spec.columns,
    write(record, context, out) {
      const { row, refused } = spec.rowOf(record, context);
      if (refused !== undefined) return { rows: 0, deadLetters: [refused] };
      spec.writeRow(out, row as Row);
      return { rows: 1, deadLetters: NOTHING_REFUSED };
    },
  };
}
