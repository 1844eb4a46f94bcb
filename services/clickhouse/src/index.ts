export { createClickHouse, type ClickHouseClient } from './client.js';
export { loadMigrations, parseMigration, runMigrations, type Migration, type MigrationResult } from './migrations.js';
export { sql, literal, identifier, type SqlValue } from './sql.js';
export { clickhouseReadiness } from './readiness.js';
