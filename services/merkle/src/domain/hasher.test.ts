import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { RFC6962_SHA256, createRfc6962Sha256Hasher } from './hasher.js';

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');
const sha256 = (...parts: Uint8Array[]) => createHash('sha256').update(Buffer.concat(parts)).digest();

test('the empty-tree root is SHA-256("") = e3b0c442…b855, 32 bytes', () => {
  assert.equal(hex(RFC6962_SHA256.emptyRoot()), 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
  assert.equal(RFC6962_SHA256.size, 32);
});

test('leaf = SHA-256(0x00 ‖ data) and node = SHA-256(0x01 ‖ left ‖ right), checked against a plain createHash', () => {
  const leaves = [new Uint8Array(0), Uint8Array.of(0), new Uint8Array(64).fill(7), new Uint8Array(5000).fill(9), Uint8Array.of(1, 2, 3)];
  for (const data of leaves) assert.equal(hex(RFC6962_SHA256.hashLeaf(data)), hex(sha256(Uint8Array.of(0), data)), `leaf of ${data.length} bytes`);
  const [a, b] = [RFC6962_SHA256.hashLeaf(Uint8Array.of(1)), RFC6962_SHA256.hashLeaf(Uint8Array.of(2))];
  assert.equal(hex(RFC6962_SHA256.hashChildren(a, b)), hex(sha256(Uint8Array.of(1), a, b)));
  assert.notEqual(hex(RFC6962_SHA256.hashChildren(a, b)), hex(RFC6962_SHA256.hashChildren(b, a)));
});

test('the reused scratch buffers never leak between calls or into results', () => {
  const hasher = createRfc6962Sha256Hasher();
  const big = hasher.hashLeaf(new Uint8Array(300).fill(5));
  const small = hasher.hashLeaf(Uint8Array.of(5));
  assert.equal(hex(small), hex(sha256(Uint8Array.of(0, 5))), 'a short leaf after a long one hashes only its own bytes');
  assert.equal(hex(big), hex(sha256(Uint8Array.of(0), new Uint8Array(300).fill(5))), 'an earlier result is not overwritten');
  const parent = hasher.hashChildren(big, small);
  hasher.hashChildren(small, big);
  assert.equal(hex(parent), hex(sha256(Uint8Array.of(1), big, small)));
  const root = hasher.emptyRoot();
  root[0] = 0;
  assert.equal(hex(hasher.emptyRoot()).slice(0, 2), 'e3', 'emptyRoot hands out a copy');
});

test('leaf and node hashes are domain-separated: a leaf whose data is two hashes is not their parent', () => {
  const [a, b] = [RFC6962_SHA256.hashLeaf(Uint8Array.of(1)), RFC6962_SHA256.hashLeaf(Uint8Array.of(2))];
  assert.notEqual(hex(RFC6962_SHA256.hashLeaf(Buffer.concat([a, b]))), hex(RFC6962_SHA256.hashChildren(a, b)));
});

test('children of the wrong length are refused', () => {
  assert.throws(() => RFC6962_SHA256.hashChildren(new Uint8Array(31), new Uint8Array(32)), /must be 32 bytes each, got 31 and 32/);
});
