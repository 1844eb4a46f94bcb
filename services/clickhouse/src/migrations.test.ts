import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseMigration } from './migrations.js';

test('a migration file splits into statements at line-ending semicolons, comments dropped', () => {
  const m = parseMigration(1, 'init', `-- meter reads\nCREATE TABLE IF NOT EXISTS a (x UInt8) ENGINE = Memory;\n\nCREATE TABLE IF NOT EXISTS b (s String DEFAULT 'a;b') ENGINE = Memory;\n`);
  assert.deepEqual(m.statements, [
    'CREATE TABLE IF NOT EXISTS a (x UInt8) ENGINE = Memory',
    "CREATE TABLE IF NOT EXISTS b (s String DEFAULT 'a;b') ENGINE = Memory",
  ]);
  assert.match(m.checksum, /^[0-9a-f]{64}$/);
});

test('the checksum changes when the file changes', () => {
  assert.notEqual(parseMigration(1, 'x', 'SELECT 1;').checksum, parseMigration(1, 'x', 'SELECT 2;').checksum);
});
