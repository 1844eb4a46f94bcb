import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Redis } from 'ioredis';
import { stackConfig } from '@ies/testing';
import { createRedis } from '../../src/index.js';

// Redis requires the stack's password (requirepass); services read it from the secrets folder.
const config = stackConfig();

test('a client without the password, or with a wrong one, is refused', async () => {
  // No password option: the connection opens, and every command before a good AUTH is refused.
  const r = new Redis(config.redis.url, { lazyConnect: true, maxRetriesPerRequest: 0, enableReadyCheck: false, retryStrategy: () => null });
  r.on('error', () => {});
  try {
    await r.connect();
    await assert.rejects(r.ping(), /NOAUTH/);
    await assert.rejects(r.get('anything'), /NOAUTH/);
    await assert.rejects(r.auth('not-the-password'), /WRONGPASS/);
    await assert.rejects(r.ping(), /NOAUTH/);
  } finally {
    r.disconnect();
  }
});

test('the configured client authenticates with the password from the secrets folder', async () => {
  assert.ok(config.redis.password.length >= 32, 'stack up made a long random password');
  const r = createRedis(config);
  try {
    assert.equal(await r.ping(), 'PONG');
  } finally {
    r.disconnect();
  }
});
