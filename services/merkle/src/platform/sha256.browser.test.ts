import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { sha256 as browserSha256 } from './sha256.browser.js';
import { sha256 as nodeSha256 } from './sha256.js';

test('the browser SHA-256 (@noble/hashes) equals the Node one on empty, short and long inputs', () => {
  for (const n of [0, 1, 55, 56, 64, 65, 4096]) {
    const bytes = randomBytes(n);
    assert.deepEqual(Buffer.from(browserSha256(bytes)), Buffer.from(nodeSha256(bytes)));
  }
});
