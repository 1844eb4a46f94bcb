import { createHash } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import type { ClickHouseClient } from '@clickhouse/client';
import { IesError } from '@ies/errors';
import { identifier, sql } from './sql.js';

export interface Migration {
  readonly version: number;
  readonly name: string;
  /** Statements in order; ClickHouse's HTTP interface runs one per request. */
  readonly statements: readonly string[];
  readonly checksum: string;
}

export interface MigrationResult {
  applied: Migration[];
  skipped: Migration[];
}

const FILE_PATTERN = /^(\d{4})_([a-z0-9_]+)\.sql$/;

/** Parses `NNNN_name.sql` files; statements are separated by `;` at the end of a line. */
export async function loadMigrations(dir: string): Promise<Migration[]> {
  const files = (await readdir(dir)).filter((f) => f.endsWith('.sql')).sort();
  const migrations: Migration[] = [];
  for (const file of files) {
    const m = FILE_PATTERN.exec(file);
    if (!m) throw new IesError('IES_ERR_MIGRATION_FAILED', `migration file ${file} in ${dir} must be named NNNN_snake_name.sql`);
    const text = await readFile(path.join(dir, file), 'utf8');
    migrations.push(parseMigration(Number(m[1]), m[2] ?? '', text));
  }
  for (let i = 1; i < migrations.length; i += 1) {
    if (migrations[i]?.version === migrations[i - 1]?.version) {
      throw new IesError('IES_ERR_MIGRATION_FAILED', `two migrations share version ${migrations[i]?.version} in ${dir}`);
    }
  }
  return migrations;
}

export function parseMigration(version: number, name: string, text: string): Migration {
  const statements = text
    .split(/;\s*$/m)
    .map((s) => s.replace(/^\s*--.*$/gm, '').trim())
    .filter((s) => s.length > 0);
  return { version, name, statements, checksum: createHash('sha256').update(text).digest('hex') };
}

/**
 * Applies pending migrations to `database` in version order and records each one. One
 * owner's set at a time (migrateTables): versions recorded by other owners are left alone. `client`
 * must be bound to a database that exists (createClickHouse(config, { database: 'default' })),
 * since `database` itself may not exist yet. Idempotent: applied
 * versions are skipped; an applied migration whose file changed is refused, because the
 * database no longer matches what the file says. Keep one ALTER per migration and make the
 * rest idempotent (CREATE … IF NOT EXISTS): ClickHouse 18.16 has no `ADD COLUMN IF NOT
 * EXISTS`, so a crash between an ALTER and its record needs that ALTER undone by hand.
 */
export async function runMigrations(client: ClickHouseClient, database: string, migrations: readonly Migration[]): Promise<MigrationResult> {
  const db = identifier(database);
  await client.command({ query: createDatabaseQuery(db) });
  await client.command({ query: ledgerTableQuery(db) });
  const rows = await (await client.query({ query: appliedMigrationsQuery(db), format: 'JSONEachRow' })).json<{ version: number; name: string; checksum: string }>();
  const applied = new Map(rows.map((r) => [Number(r.version), r]));
  const result: MigrationResult = { applied: [], skipped: [] };
  for (const m of [...migrations].sort((a, b) => a.version - b.version)) {
    const done = applied.get(m.version);
    if (done) {
      // Versions are unique across owners (one schema_migrations per database): the same
      // number under another name is another owner's migration, not this one.
      if (done.name !== m.name) {
        throw new IesError('IES_ERR_MIGRATION_CHANGED', `migration ${m.version}_${m.name} cannot be applied: version ${m.version} is recorded as ${done.version}_${done.name}; versions are unique across every owner's migrations, give this one a new number`);
      }
      if (done.checksum !== m.checksum) {
        throw new IesError('IES_ERR_MIGRATION_CHANGED', `migration ${m.version}_${m.name} was applied with checksum ${done.checksum.slice(0, 12)}… but the file now has ${m.checksum.slice(0, 12)}…; add a new migration instead of editing an applied one`);
      }
      result.skipped.push(m);
      continue;
    }
    for (const [i, statement] of m.statements.entries()) {
      try {
        await client.command({ query: statement });
      } catch (cause) {
        throw new IesError('IES_ERR_MIGRATION_FAILED', `migration ${m.version}_${m.name} statement ${i + 1} of ${m.statements.length} failed: ${(cause as Error).message}`, { cause });
      }
    }
    await client.command({ query: recordMigrationQuery(db, m) });
    result.applied.push(m);
  }
  return result;
}

// The runner's own SQL (the ledger of applied migrations), as builders the SQL check runs too.
export function createDatabaseQuery(database: string): string {
  return `CREATE DATABASE IF NOT EXISTS ${identifier(database)}`;
}

export function ledgerTableQuery(database: string): string {
  return `CREATE TABLE IF NOT EXISTS ${identifier(database)}.schema_migrations (version UInt32, name String, checksum String, applied_at DateTime) ENGINE = ReplacingMergeTree(applied_at) ORDER BY version`;
}

export function appliedMigrationsQuery(database: string): string {
  return `SELECT version, name, checksum FROM ${identifier(database)}.schema_migrations FINAL ORDER BY version`;
}

export function recordMigrationQuery(database: string, m: Pick<Migration, 'version' | 'name' | 'checksum'>): string {
  return `INSERT INTO ${identifier(database)}.schema_migrations (version, name, checksum, applied_at) VALUES ` + sql`(${m.version}, ${m.name}, ${m.checksum}, now())`;
}
