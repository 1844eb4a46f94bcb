import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { IesError } from '@ies/errors';
import { stackConfig } from '@ies/testing';
import { createClickHouse, loadMigrations, runMigrations, sql } from '../../src/index.js';

const config = stackConfig();
const admin = createClickHouse(config, { database: 'default' });
const database = `it_${Date.now().toString(36)}_${process.pid}`;
after(async () => {
  await admin.command({ query: `DROP DATABASE IF EXISTS ${database}` });
  await admin.close();
});

const dir = mkdtempSync(path.join(tmpdir(), 'ies-migrations-'));
writeFileSync(path.join(dir, '0001_reads.sql'), `
-- 18.16-compatible: no DateTime64, Map or JSON types
CREATE TABLE IF NOT EXISTS ${database}.reads (
  discom String, meter_id String, block_start DateTime, channel Enum8('IMPORT' = 1, 'EXPORT' = 2), wh Int64, version UInt32
) ENGINE = ReplacingMergeTree(version) PARTITION BY toYYYYMM(block_start) ORDER BY (discom, meter_id, block_start, channel);
`);
writeFileSync(path.join(dir, '0002_status.sql'), `ALTER TABLE ${database}.reads ADD COLUMN status String DEFAULT 'VALID';\n`);

test('migrations apply once; a second run changes nothing', async () => {
  const migrations = await loadMigrations(dir);
  const first = await runMigrations(admin, database, migrations);
  assert.deepEqual(first.applied.map((m) => m.version), [1, 2]);
  const second = await runMigrations(admin, database, migrations);
  assert.deepEqual(second.applied, []);
  assert.deepEqual(second.skipped.map((m) => m.version), [1, 2]);
  const recorded = await (await admin.query({ query: `SELECT count() AS n FROM ${database}.schema_migrations FINAL`, format: 'JSONEachRow' })).json<{ n: string | number }>();
  assert.equal(Number(recorded[0]?.n), 2);
});

test('rows are inserted and read back exactly', async () => {
  const client = createClickHouse(config, { database });
  try {
    await client.insert({
      table: 'reads',
      format: 'JSONEachRow',
      values: [
        { discom: 'BRPL-DL', meter_id: "M-'1", block_start: '2026-11-19 18:30:00', channel: 'IMPORT', wh: 412, version: 1, status: 'VALID' },
        { discom: 'BRPL-DL', meter_id: "M-'1", block_start: '2026-11-19 18:30:00', channel: 'EXPORT', wh: 9007199254740991, version: 1, status: 'ESTIMATED' },
      ],
    });
    const rows = await (await client.query({
      query: sql`SELECT meter_id, toString(block_start) AS block_start, channel, toString(wh) AS wh, status FROM reads WHERE meter_id = ${"M-'1"} ORDER BY channel`,
      format: 'JSONEachRow',
    })).json();
    assert.deepEqual(rows, [
      { meter_id: "M-'1", block_start: '2026-11-19 18:30:00', channel: 'IMPORT', wh: '412', status: 'VALID' },
      { meter_id: "M-'1", block_start: '2026-11-19 18:30:00', channel: 'EXPORT', wh: '9007199254740991', status: 'ESTIMATED' },
    ]);
  } finally {
    await client.close();
  }
});

test('editing an applied migration is refused', async () => {
  writeFileSync(path.join(dir, '0002_status.sql'), `ALTER TABLE ${database}.reads ADD COLUMN status String DEFAULT 'SUSPECT';\n`);
  await assert.rejects(runMigrations(admin, database, await loadMigrations(dir)), (err: unknown) => err instanceof IesError && err.code === 'IES_ERR_MIGRATION_CHANGED');
});

test("another owner's migration with a version already recorded under another name is refused", async () => {
  const other = mkdtempSync(path.join(tmpdir(), 'ies-migrations-other-'));
  writeFileSync(path.join(other, '0001_statements.sql'), `CREATE TABLE IF NOT EXISTS ${database}.statements (id String) ENGINE = Memory;\n`);
  await assert.rejects(runMigrations(admin, database, await loadMigrations(other)), (err: unknown) => err instanceof IesError && err.code === 'IES_ERR_MIGRATION_CHANGED' && /recorded as 1_reads/.test(err.message));
});
