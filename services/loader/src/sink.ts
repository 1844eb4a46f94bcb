import type { TopicId } from '@ies/contracts';
import type { DeadLetterRow } from './domain/rows.js';
import type { RowBinaryWriter } from './row-binary.js';

/** Where a record came from; the topic's tenant is the tenant of its rows. */
export interface RecordContext {
  readonly tenant: string;
  readonly partition: number;
  /** Kafka offset of the record (a decimal string, as kafkajs gives it). */
  readonly offset: string;
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
}

export interface SinkOutcome {
  rows: number;
  deadLetters: readonly DeadLetterRow[];
}

export const NOTHING_REFUSED: readonly DeadLetterRow[] = Object.freeze([]);
