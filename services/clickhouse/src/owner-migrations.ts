import type { Config } from '@ies/config';
import { IesError } from '@ies/errors';
import { createClickHouse } from './client.js';
import { createDatabaseQuery, loadMigrations, runMigrations, type Migration, type MigrationResult } from './migrations.js';
import { identifier } from './sql.js';

/**
 * The migrations of one owning service: the tables it writes, in `dir` beside its code
 * (services/<owner>/migrations). Versions are numbered across all owners, so the files of
 * one database never share a version (schema_migrations is keyed by version).
 */
export interface MigrationSet {
  readonly owner: string;
  readonly dir: string;
}

/** Each set's migrations, refusing a version that two sets both use. */
export async function loadMigrationSets(sets: readonly MigrationSet[]): Promise<{ set: MigrationSet; migrations: Migration[] }[]> {
  const loaded = await Promise.all(sets.map(async (set) => ({ set, migrations: await loadMigrations(set.dir) })));
  const seen = new Map<number, string>();
  for (const { set, migrations } of loaded) {
    for (const m of migrations) {
      const other = seen.get(m.version);
      if (other !== undefined && other !== `${set.owner}/${m.name}`) {
        throw new IesError('IES_ERR_MIGRATION_FAILED', `migration version ${m.version} is used twice: ${other} and ${set.owner}/${m.name}; versions are unique across owners`);
      }
      seen.set(m.version, `${set.owner}/${m.name}`);
    }
  }
  return loaded;
}

/**
 * Creates the configured database and applies the given owners' migrations to it, in the
 * order given (a reader lists the owner of the tables it reads before itself). The files
 * use unqualified table names, so they run through a client bound to that database.
 * Idempotent and safe to run from several services at start: applied versions are skipped.
 */
export async function migrateTables(config: Config, sets: readonly MigrationSet[]): Promise<MigrationResult> {
  const database = identifier(config.clickhouse.database);
  const loaded = await loadMigrationSets(sets);
  const admin = createClickHouse(config, { database: 'default' });
  try {
    await admin.command({ query: createDatabaseQuery(database) });
  } finally {
    await admin.close();
  }
  const client = createClickHouse(config, { database });
  const result: MigrationResult = { applied: [], skipped: [] };
  try {
    for (const { migrations } of loaded) {
      const one = await runMigrations(client, database, migrations);
      result.applied.push(...one.applied);
      result.skipped.push(...one.skipped);
    }
    return result;
  } finally {
    await client.close();
  }
}
