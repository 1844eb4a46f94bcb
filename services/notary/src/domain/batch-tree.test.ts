import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import { test } from 'node:test';
import { RFC6962_SHA256, rootFromLeafHashes } from '@ies/merkle';
import type { PublicRead } from '@ies/verify';
import { BATCH_ROOT_IMPLEMENTATION, batchRoot, batchRootOf, batchRootOfOnNodeCrypto, batchTree, readLeafHash } from './batch-tree.js';

const reads = (n: number, meter = (i: number) => `SM-${i}`): PublicRead[] =>
  Array.from({ length: n }, (_, i) => ({ discomId: 'BRPL-DL', meterId: meter(i), blockStart: Date.UTC(2026, 10, 19, 18, 30) + (i % 7) * 900_000, channel: i % 2 ? 'EXPORT' : 'IMPORT', wh: (i * 37) % 901, validationStatus: i % 11 ? 'VALID' : 'ESTIMATED', source: 'HES' }));

/** The reference: @ies/merkle's fold over Buffer leaf hashes. */
const reference = (rs: readonly PublicRead[]) => Buffer.from(rootFromLeafHashes(RFC6962_SHA256, rs.map((r) => readLeafHash(r))));

test('the batch root (hashes carried as latin1 strings) is the RFC 6962 root over the leaf hashes, for every shape of tree', () => {
  for (const n of [...Array.from({ length: 34 }, (_, i) => i), 255, 256, 257, 1000, 1023, 1025]) {
    const rs = reads(n);
    assert.deepEqual(Buffer.from(batchRoot(rs)), reference(rs), `${n} reads`);
    assert.deepEqual(Buffer.from(batchRootOf('BRPL-DL', rs.map(({ discomId: _d, ...r }) => r))), reference(rs), `${n} reads without their DISCOM`);
    assert.deepEqual(Buffer.from(batchTree(rs).root), reference(rs), `${n} reads, the proof tree`);
  }
});

test('non-ASCII and escaped meter ids hash as their UTF-8 canonical bytes; a line feed in one is escaped, never a separator', () => {
  for (const rs of [reads(9, (i) => `मीटर-${i}-"q"\u0001`), reads(5, (i) => `M\n${i}\r\n`)]) {
    assert.deepEqual(Buffer.from(batchRoot(rs)), reference(rs));
    assert.deepEqual(Buffer.from(batchRootOfOnNodeCrypto('BRPL-DL', rs)), reference(rs));
  }
});

test('the native batch root is built wherever cargo is, and gives the node:crypto roots', () => {
  if (spawnSync('cargo', ['--version'], { stdio: 'ignore' }).status === 0) assert.equal(BATCH_ROOT_IMPLEMENTATION, 'native', 'npm run build builds services/notary/native with cargo');
  for (const n of [0, 1, 2, 3, 5, 8, 255, 256, 1000, 4097]) {
    const rs = reads(n).map(({ discomId: _d, ...r }) => r);
    assert.deepEqual(Buffer.from(batchRootOf('BRPL-DL', rs)), Buffer.from(batchRootOfOnNodeCrypto('BRPL-DL', rs)), `${n} reads`);
  }
});

test('the empty batch has the root SHA-256("")', () => {
  assert.equal(Buffer.from(batchRootOf('BRPL-DL', [])).toString('hex'), 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
});
