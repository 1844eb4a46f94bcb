import { fileURLToPath } from 'node:url';
import type { Config } from '@ies/config';
import { migrateTables, type MigrationResult, type MigrationSet } from '@ies/clickhouse';
import { LOADER_MIGRATIONS } from '@ies/loader/migrations';

/**
 * The tables dr writes: dr_baselines (baseline worker), dr_performance and dr_delivery
 * (performance sweep). Migrations in services/dr/migrations (this file is
 * services/dr/dist/src/migrate.js).
 */
export const DR_MIGRATIONS: MigrationSet = Object.freeze({ owner: 'dr', dir: fileURLToPath(new URL('../../migrations/', import.meta.url)) });

/**
 * dr's tables, after the loader's: dr reads `reads` (history, through @ies/reads), so it
 * applies the loader's set through the loader's exported entry point instead of waiting for
 * the loader to start. Idempotent; each owner's files stay the only definition of its tables.
 */
export async function migrateDrTables(config: Config): Promise<MigrationResult> {
  return migrateTables(config, [LOADER_MIGRATIONS, DR_MIGRATIONS]);
}
