import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { IesError } from '@ies/errors';
import { loadMigrationSets } from './owner-migrations.js';

function dirWith(files: Record<string, string>): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'ies-owner-'));
  for (const [name, text] of Object.entries(files)) writeFileSync(path.join(dir, name), text);
  return dir;
}

test('each owner keeps its own migrations; versions interleave across owners', async () => {
  const loaded = await loadMigrationSets([
    { owner: 'loader', dir: dirWith({ '0001_reads.sql': 'SELECT 1;\n', '0003_dead_letters.sql': 'SELECT 3;\n' }) },
    { owner: 'dr', dir: dirWith({ '0002_dr_baselines.sql': 'SELECT 2;\n' }) },
  ]);
  assert.deepEqual(loaded.map(({ set, migrations }) => [set.owner, migrations.map((m) => m.version)]), [['loader', [1, 3]], ['dr', [2]]]);
});

test('a version used by two owners is refused, naming both', async () => {
  await assert.rejects(loadMigrationSets([
    { owner: 'loader', dir: dirWith({ '0004_reads_extra.sql': 'SELECT 1;\n' }) },
    { owner: 'dr', dir: dirWith({ '0004_dr_baselines.sql': 'SELECT 2;\n' }) },
  ]), (err: unknown) => err instanceof IesError && err.code === 'IES_ERR_MIGRATION_FAILED' && /loader\/reads_extra and dr\/dr_baselines/.test(err.message));
});
