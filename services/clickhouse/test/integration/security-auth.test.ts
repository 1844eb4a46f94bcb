import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createClient } from '@clickhouse/client';
import { stackConfig } from '@ies/testing';
import { createClickHouse } from '../../src/index.js';

// ClickHouse's user has a password (password_sha256_hex); services read it from the secrets folder.
const config = stackConfig();

async function selectOne(password: string): Promise<unknown> {
  const client = createClient({ url: config.clickhouse.url, username: config.clickhouse.username, password, database: 'default', clickhouse_settings: {} });
  try {
    return await (await client.query({ query: 'SELECT 1 AS one', format: 'JSONEachRow' })).json();
  } finally {
    await client.close();
  }
}

test('a query without the password, or with a wrong one, is refused', async () => {
  await assert.rejects(selectOne(''), /password|Authentication failed/i);
  await assert.rejects(selectOne('not-the-password'), /password|Authentication failed/i);
});

test('the configured client authenticates with the password from the secrets folder', async () => {
  assert.ok(config.clickhouse.password.length >= 32, 'stack up made a long random password');
  const client = createClickHouse(config, { database: 'default' });
  try {
    assert.deepEqual(await (await client.query({ query: 'SELECT 1 AS one', format: 'JSONEachRow' })).json(), [{ one: 1 }]);
  } finally {
    await client.close();
  }
});
