import { fileURLToPath } from 'node:url';
import type { Config } from '@ies/config';
import { migrateTables, type MigrationResult, type MigrationSet } from '@ies/clickhouse';

/** services/loader/migrations (this file is services/loader/dist/src/migrate.js). */
export const MIGRATIONS_DIR = fileURLToPath(new URL('../../migrations/', import.meta.url));

/**
 * The tables the loader writes: reads (+ reads_by_batch, read_days), dead_letters, receipts
 * (+ receipts_by_batch) and dr_events. A service that reads one of them (dr, settlement,
 * the gateway's read index through @ies/reads) applies this set before its own, so it
 * never waits for the loader to start first; applying is idempotent.
 */
export const LOADER_MIGRATIONS: MigrationSet = Object.freeze({ owner: 'loader', dir: MIGRATIONS_DIR });

/** Creates the configured database and applies the loader's migrations to it. */
export async function migrateLoaderTables(config: Config): Promise<MigrationResult> {
  return migrateTables(config, [LOADER_MIGRATIONS]);
}
