import { test } from 'node:test';
import assert from 'node:assert/strict';
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import * as browser from './crypto.browser.js';
import * as node from './crypto.js';

// The browser build must reach the same verdicts as the Node one: the console trusts it
// for the same answers `ies verify` gives.

test('sha256 and sha256Hex agree with node:crypto on strings, bytes and concatenations', () => {
  for (const parts of [[''], ['note\n'], [randomBytes(1000)], ['name', '\n', Uint8Array.of(1), randomBytes(32)], ['₹ ‖ UTF-8']] as (string | Uint8Array)[][]) {
    assert.deepEqual(Buffer.from(browser.sha256(...parts)), Buffer.from(node.sha256(...parts)));
    assert.equal(browser.sha256Hex(parts[0]!), node.sha256Hex(parts[0]!));
  }
});

test('ed25519Verify accepts a node:crypto signature and refuses a changed message, signature or key', () => {
  const { privateKey } = generateKeyPairSync('ed25519');
  const publicKey = node.ed25519PublicKeyOf(privateKey)!;
  const message = Buffer.from('origin\n42\nroot\n');
  const signature = node.ed25519Sign(privateKey, message);
  assert.equal(browser.ed25519Verify(publicKey, message, signature), true);
  assert.equal(browser.ed25519Verify(publicKey, Buffer.from('origin\n43\nroot\n'), signature), false);
  const flipped = Uint8Array.from(signature);
  flipped[10]! ^= 1;
  assert.equal(browser.ed25519Verify(publicKey, message, flipped), false);
  assert.equal(browser.ed25519Verify(node.ed25519PublicKeyOf(generateKeyPairSync('ed25519').privateKey)!, message, signature), false);
  assert.equal(browser.ed25519Verify(publicKey, message, signature.subarray(0, 63)), false);
});

test('the browser build refuses to sign', () => {
  assert.throws(() => browser.ed25519Sign({}, Uint8Array.of(1)), /not available in the browser/);
});
