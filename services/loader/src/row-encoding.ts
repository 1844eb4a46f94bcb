import type { DeadLetterRow, ReadRow } from './domain/rows.js';
import { RowBinaryWriter } from './row-binary.js';

/**
 * Rows → ClickHouse input formats. The loader inserts RowBinary (the fastest of the four
 * on 18.16, see README "Insert formats"); the others stay for the benchmark that chose it.
 * Column lists are explicit, so a column added by a later migration needs a DEFAULT.
 */
export const READ_COLUMNS = ['discom_id', 'meter_id', 'block_start', 'channel', 'wh', 'validation_status', 'source', 'batch_id', 'index_in_batch', 'head_end_id', 'received_at_ms'] as const;
export const DEAD_LETTER_COLUMNS = ['discom_id', 'source_id', 'stage', 'code', 'message', 'rejected_at_ms', 'batch_id', 'meter_id', 'context_keys', 'context_values', 'payload'] as const;

export type { InsertFormat } from '@ies/clickhouse';

/** Enum8('IMPORT' = 1, 'EXPORT' = 2) */
export const CHANNEL_CODE = { IMPORT: 1, EXPORT: 2 } as const;

export function writeReadRowBinary(w: RowBinaryWriter, r: ReadRow): void {
  w.string(r.discomId);
  w.string(r.meterId);
  w.uint32(r.blockStartSec);
  w.int8(CHANNEL_CODE[r.channel]);
  w.int64(r.wh);
  w.string(r.validationStatus);
  w.string(r.source);
  w.string(r.batchId);
  w.uint32(r.indexInBatch);
  w.string(r.headEndId);
  w.uint64(r.receivedAtMs);
}

export function writeDeadLetterRowBinary(w: RowBinaryWriter, r: DeadLetterRow): void {
  w.string(r.discomId);
  w.string(r.sourceId);
  w.string(r.stage);
  w.string(r.code);
  w.string(r.message);
  w.uint64(r.rejectedAtMs);
  w.string(r.batchId);
  w.string(r.meterId);
  w.strings(r.contextKeys);
  w.strings(r.contextValues);
  w.blob(r.payload ?? new Uint8Array(0));
}

/** TabSeparated escaping: backslash, tab and newline. */
function tsv(s: string): string {
  return /[\\\t\n]/.test(s) ? s.replace(/\\/g, '\\\\').replace(/\t/g, '\\t').replace(/\n/g, '\\n') : s;
}

export function readsTabSeparated(rows: readonly ReadRow[]): string {
  let out = '';
  for (const r of rows) {
    out += `${tsv(r.discomId)}\t${tsv(r.meterId)}\t${r.blockStartSec}\t${r.channel}\t${r.wh}\t${tsv(r.validationStatus)}\t${tsv(r.source)}\t${tsv(r.batchId)}\t${r.indexInBatch}\t${tsv(r.headEndId)}\t${r.receivedAtMs}\n`;
  }
  return out;
}

function csv(s: string): string {
  return `"${s.includes('"') ? s.replace(/"/g, '""') : s}"`;
}

export function readsCsv(rows: readonly ReadRow[]): string {
  let out = '';
  for (const r of rows) {
    out += `${csv(r.discomId)},${csv(r.meterId)},${r.blockStartSec},${r.channel},${r.wh},${csv(r.validationStatus)},${csv(r.source)},${csv(r.batchId)},${r.indexInBatch},${csv(r.headEndId)},${r.receivedAtMs}\n`;
  }
  return out;
}

export function readsJsonEachRow(rows: readonly ReadRow[]): Record<(typeof READ_COLUMNS)[number], string | number>[] {
  return rows.map((r) => ({
    discom_id: r.discomId,
    meter_id: r.meterId,
    block_start: r.blockStartSec,
    channel: r.channel,
    wh: r.wh,
    validation_status: r.validationStatus,
    source: r.source,
    batch_id: r.batchId,
    index_in_batch: r.indexInBatch,
    head_end_id: r.headEndId,
    received_at_ms: r.receivedAtMs,
  }));
}
