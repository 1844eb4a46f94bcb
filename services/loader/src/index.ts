export { Loader, LOADER_GROUP, DEFAULT_LOADER_OPTIONS, type LoaderOptions, type LoaderDeps } from './loader.js';
export { startLoaderService } from './main.js';
export { migrateLoaderTables, MIGRATIONS_DIR, LOADER_MIGRATIONS } from './migrate.js';
export { LOADER_METRICS, createLoaderMetrics, type LoaderMetrics } from './metrics.js';
export { rowsOfBatch, rowOfDeadLetter, type MeterBatchRecord, type DeadLetterRecord, type ReadRow, type DeadLetterRow } from './domain/rows.js';
export { SINKS } from './sinks.js';
export type { Sink, SinkOutcome, RecordContext } from './sink.js';
export { rowOfReceipt, type ReceiptRecord, type ReceiptRow } from './domain/receipts.js';
export { rowOfDrEvent, type DrEventRecord, type DrEventRow } from './domain/dr-events.js';
