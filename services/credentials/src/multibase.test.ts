import { test } from 'node:test';
import assert from 'node:assert/strict';
import { base58btc, ed25519PublicKeyMultibase } from './multibase.js';

test('base58btc matches the draft-msporny-base58 vectors', () => {
  assert.equal(base58btc(Buffer.from('Hello World!')), '2NEpo7TZRRrLZSi2U');
  assert.equal(base58btc(Buffer.from('The quick brown fox jumps over the lazy dog.')), 'USm3fpXnKG5EUBx2ndxBDMPVciP5hGey2Jh4NDv6gmeo1LkMeiKrLJUUBk6Z');
  assert.equal(base58btc(Uint8Array.from([0, 0, 0x28, 0x7f, 0xb4, 0xcd])), '11233QC4');
});

test('an Ed25519 key becomes z6Mk… (multicodec 0xed01), as in did:key', () => {
  // One key as @digitalbazaar/ed25519-multikey writes it (publicKeyMultibase) and as a JWK (x).
  assert.equal(ed25519PublicKeyMultibase('3dw8SbXIEtXKmDfdzrespalZowawfL3Ffj-9nphUKNg'), 'z6MkuPJvYrCFFHNL1eLhDc9FyQGcAvTbRysBJk9nhR122hgj');
  assert.throws(() => ed25519PublicKeyMultibase('AAAA'), /32 bytes/);
});
