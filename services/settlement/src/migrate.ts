import { fileURLToPath } from 'node:url';
import type { Config } from '@ies/config';
import { migrateTables, type MigrationResult, type MigrationSet } from '@ies/clickhouse';
import { DR_MIGRATIONS } from '@ies/dr/migrations';
import { LOADER_MIGRATIONS } from '@ies/loader/migrations';

/**
 * The tables settlement writes: p2p_trades (trades loader), p2p_allocations (reconciler),
 * statements and statement_lines (statement worker). Migrations in
 * services/settlement/migrations (this file is services/settlement/dist/src/migrate.js).
 */
export const SETTLEMENT_MIGRATIONS: MigrationSet = Object.freeze({ owner: 'settlement', dir: fileURLToPath(new URL('../../migrations/', import.meta.url)) });

/**
 * Settlement's tables, after those of the owners it reads: the loader's `reads` (side
 * reads) and dr's dr_performance (DR statements), applied through their exported sets.
 */
export async function migrateSettlementTables(config: Config): Promise<MigrationResult> {
  return migrateTables(config, [LOADER_MIGRATIONS, DR_MIGRATIONS, SETTLEMENT_MIGRATIONS]);
}
