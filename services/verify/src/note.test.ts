import { strict as assert } from 'node:assert';
import { test } from 'node:test';
import { generateKeyPairSync } from 'node:crypto';
import { ed25519FromSeed, formatVerifierKey, noteSigner, openNote, parseVerifierKey, signNote } from './note.js';

// Vectors from golang.org/x/mod sumdb/note/note_test.go (TestSign, TestOpen).
const GO_SKEY_SEED = Buffer.from('AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz', 'base64').subarray(1);
const GO_VKEY = 'PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW';
const GO_TEXT = "If you think cryptography is the answer to your problem,\nthen you don't know what your problem is.\n";
const GO_SIGNED = `${GO_TEXT}\n— PeterNeumann x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=\n`;

test('signing reproduces the Go note package vector byte for byte', () => {
  const signer = noteSigner('PeterNeumann', ed25519FromSeed(GO_SKEY_SEED));
  assert.equal(formatVerifierKey(signer), GO_VKEY);
  assert.equal(signNote(GO_TEXT, signer), GO_SIGNED);
});

test('the Go vector opens with its verifier key; tampering is detected', () => {
  const v = parseVerifierKey(GO_VKEY);
  assert.equal(v.keyHash, 0xc74f20a3);
  const opened = openNote(GO_SIGNED, [v]);
  assert.ok(opened.ok);
  assert.equal(opened.body, GO_TEXT);
  const tampered = openNote(GO_SIGNED.replace('problem,', 'problem;'), [v]);
  assert.equal(tampered.ok, false);
  assert.equal(tampered.ok === false && tampered.code, 'BAD_SIGNATURE');
});

test('a verifier key whose base64 holds "+" parses (the name never does)', () => {
  for (let i = 0; i < 20; i++) {
    const signer = noteSigner('ies.test/log/X', generateKeyPairSync('ed25519').privateKey);
    assert.deepEqual(parseVerifierKey(formatVerifierKey(signer)).publicKey, signer.publicKey);
  }
});

test('unknown keys, bad key strings and malformed notes are refused with a reason', () => {
  const other = noteSigner('PeterNeumann', generateKeyPairSync('ed25519').privateKey);
  const r = openNote(GO_SIGNED, [other]);
  assert.equal(r.ok === false && r.code, 'UNKNOWN_KEY');
  assert.throws(() => parseVerifierKey('PeterNeumann+c74f20a4+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW'), /does not match/);
  assert.throws(() => parseVerifierKey('PeterNeumann+173116ae+ZRpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW'), /not an Ed25519 key/);
  assert.throws(() => noteSigner('a b', other.privateKey), /whitespace/);
  for (const bad of [GO_TEXT, `${GO_TEXT}\n— PeterNeumann !!!\n`, GO_SIGNED.slice(0, -1), `a\u0001b\n\n— x AAAAAAA=\n`]) {
    const res = openNote(bad, [parseVerifierKey(GO_VKEY)]);
    assert.equal(res.ok === false && res.code, 'MALFORMED_NOTE', bad);
  }
});

test('a cosignature by an unknown key is ignored, as the spec requires', () => {
  const stranger = noteSigner('stranger.example', generateKeyPairSync('ed25519').privateKey);
  const cosigned = GO_SIGNED + signNote(GO_TEXT, stranger).slice(GO_TEXT.length + 1);
  const opened = openNote(cosigned, [parseVerifierKey(GO_VKEY)]);
  assert.ok(opened.ok);
});
