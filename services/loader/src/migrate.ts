import { fileURLToPath } from 'node:url';
import type { Config } from '@ies/config';
import { createClickHouse, identifier, loadMigrations, runMigrations, type MigrationResult } from '@ies/clickhouse';

/** services/loader/migrations (this file is services/loader/dist/src/migrate.js). */
export const MIGRATIONS_DIR = fileURLToPath(new URL('../../migrations/', import.meta.url));

/**
 * Creates the configured database and applies the loader's migrations to it. The files
 * use unqualified table names, so they run through a client bound to that database.
 */
export async function migrateLoaderTables(config: Config): Promise<MigrationResult> {
  const database = identifier(config.clickhouse.database);
  const admin = createClickHouse(config, { database: 'default' });
  try {
    await admin.command({ query: `CREATE DATABASE IF NOT EXISTS ${database}` });
  } finally {
    await admin.close();
  }
  const client = createClickHouse(config, { database });
  try {
    return await runMigrations(client, database, await loadMigrations(MIGRATIONS_DIR));
  } finally {
    await client.close();
  }
}
