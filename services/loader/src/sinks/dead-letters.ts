import { rowOfDeadLetter, type DeadLetterRecord } from '../domain/rows.js';
import { DEAD_LETTER_COLUMNS, writeDeadLetterRowBinary } from '../row-encoding.js';
import { NOTHING_REFUSED, type Sink } from '../sink.js';

/** dead-letter.v1 → dead_letters (which also takes the dead letters of every other sink). */
export const deadLettersSink: Sink<DeadLetterRecord> = {
  topic: 'deadLetter',
  table: 'dead_letters',
  columns: DEAD_LETTER_COLUMNS,
  write(record, { tenant }, out) {
    writeDeadLetterRowBinary(out, rowOfDeadLetter(record, tenant));
    return { rows: 1, deadLetters: NOTHING_REFUSED };
  },
};
