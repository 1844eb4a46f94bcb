// signStatement writes the compact JWS itself (for speed on statements of hundreds of
// megabytes); jose's CompactSign is the reference it must match byte for byte.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { generateKeyPairSync, type KeyObject } from 'node:crypto';
import { CompactSign } from 'jose';
import { STATEMENT_TYP } from '@ies/verify';
import { signStatement } from './statement-signing.js';

const reference = (bytes: Uint8Array, kid: string, privateKey: KeyObject) =>
  new CompactSign(bytes).setProtectedHeader({ alg: 'EdDSA', kid, typ: STATEMENT_TYP }).sign(privateKey);

test('signStatement: the same compact JWS as jose CompactSign, for any payload and kid', async () => {
  const { privateKey } = generateKeyPairSync('ed25519');
  const payloads = [new Uint8Array(0), new TextEncoder().encode('{"a":"€😀"}'), new Uint8Array(3 * 2 ** 20 + 1).map((_, i) => (i * 31) & 0xff)];
  // A view into a larger buffer: only the view is signed.
  const big = new Uint8Array(100).fill(7);
  payloads.push(big.subarray(10, 20));
  for (const bytes of payloads) {
    for (const kid of ['k1', 'thumbprint-_AZaz09', 'ü"\\']) assert.equal(await signStatement(bytes, { kid, privateKey }), await reference(bytes, kid, privateKey));
  }
});

test('signStatement: a key that is not an Ed25519 private key is refused', async () => {
  const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  await assert.rejects(signStatement(new Uint8Array(1), { kid: 'k', privateKey }), /not an Ed25519 private key/);
  const ed = generateKeyPairSync('ed25519');
  await assert.rejects(signStatement(new Uint8Array(1), { kid: 'k', privateKey: ed.publicKey }), /not an Ed25519 private key/);
});
