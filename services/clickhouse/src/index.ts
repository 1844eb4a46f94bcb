export { createClickHouse, type ClickHouseClient } from './client.js';
export { loadMigrations, parseMigration, runMigrations, createDatabaseQuery, ledgerTableQuery, appliedMigrationsQuery, recordMigrationQuery, type Migration, type MigrationResult } from './migrations.js';
export { loadMigrationSets, migrateTables, type MigrationSet } from './owner-migrations.js';
export { insertBody, insertEncoded, insertError, type InsertBody, type InsertFormat } from './insert.js';
export { TableSink, DEFAULT_CHUNK_ROWS, type RowBatch } from './table-sink.js';
export { sql, literal, identifier, type SqlValue } from './sql.js';
export { clickhouseReadiness } from './readiness.js';
export { activeMergesQuery, untilMergesSettle } from './merges.js';
