import { strict as assert } from 'node:assert';
import { test } from 'node:test';
import { generateKeyPairSync } from 'node:crypto';
import { signReceipt, signReceiptSync, type ReceiptBody } from './receipt.js';

const receipt = (i: number): ReceiptBody => ({
  v: 1,
  batchId: `HE-1:b-${i}`,
  discomId: 'NP-DL',
  headEndId: 'HE-1',
  readCount: 1000 + i,
  batchRoot: Buffer.alloc(32, i).toString('base64'),
  acceptedAt: new Date(1_795_300_000_000 + i).toISOString(),
  logIndex: i,
  checkpoint: `np.example/log\n${i + 1}\n${Buffer.alloc(32, i + 7).toString('base64')}\n\n— np.example/log AAAA\n`,
  inclusionProof: Array.from({ length: i % 5 }, (_, k) => Buffer.alloc(32, k).toString('base64')),
});

test('signReceiptSync gives the same compact JWS, byte for byte, as jose CompactSign (signReceipt)', async () => {
  const { privateKey } = generateKeyPairSync('ed25519');
  const key = { kid: 'notary-kid-1', privateKey };
  for (let i = 0; i < 50; i += 1) assert.equal(signReceiptSync(receipt(i), key), await signReceipt(receipt(i), key));
});

test('signReceiptSync refuses a key that is not Ed25519', () => {
  const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  assert.throws(() => signReceiptSync(receipt(0), { kid: 'k', privateKey }), /must be Ed25519/);
});
