import { strict as assert } from 'node:assert';
import { createHash, generateKeyPairSync } from 'node:crypto';
import { test } from 'node:test';
import { formatCheckpoint } from './checkpoint.js';
import { MLDSA44_TYPE, formatMlDsaKey, mlDsaCheckpointLine, mlDsaSignerFromSeed, parseMlDsaKey, subtreeMessage, verifyMlDsaLines } from './mldsa.js';
import { formatVerifierKey, noteSigner, signNote } from './note.js';
import { trustFromVerifierKeys, verifyCheckpoint } from './verify.js';

const ORIGIN = '127.0.0.1:8080/logs/PQ-DL';
const ROOT = createHash('sha256').update('root').digest();
const BODY = formatCheckpoint({ origin: ORIGIN, size: 7, rootHash: ROOT, extensions: [] });
const pq = mlDsaSignerFromSeed(ORIGIN, Buffer.alloc(32, 9));
const ed = noteSigner(ORIGIN, generateKeyPairSync('ed25519').privateKey);
const both = `${signNote(BODY, ed)}${mlDsaCheckpointLine(BODY, pq, 1_790_000_000)}`;

test('the subtree/v1 message and the key ID follow c2sp.org/tlog-cosignature', () => {
  const m = subtreeMessage({ cosigner: 'w', timestamp: 1, origin: 'o', size: 2, rootHash: ROOT });
  assert.deepEqual(m.subarray(0, 12), Buffer.from('subtree/v1\n\0', 'latin1'));
  assert.deepEqual([...m.subarray(12, 14)], [1, 'w'.charCodeAt(0)]);
  assert.equal(m.readBigUInt64BE(14), 1n);
  assert.deepEqual([...m.subarray(22, 24)], [1, 'o'.charCodeAt(0)]);
  assert.equal(m.readBigUInt64BE(24), 0n, 'start 0 for a checkpoint');
  assert.equal(m.readBigUInt64BE(32), 2n, 'end = the tree size');
  assert.deepEqual(m.subarray(40), ROOT);
  const vkey = formatMlDsaKey(pq);
  const expectedId = createHash('sha256').update(`${ORIGIN}\n`).update(Uint8Array.of(MLDSA44_TYPE)).update(pq.publicKey).digest().subarray(0, 4).toString('hex');
  assert.equal(vkey.split('+')[1], expectedId);
  assert.deepEqual(parseMlDsaKey(vkey).publicKey, pq.publicKey);
  assert.throws(() => parseMlDsaKey(formatVerifierKey(ed)), /not an ML-DSA-44 key/);
});

test('a checkpoint with both lines verifies under every policy; each line alone only under its own', async () => {
  const base = await trustFromVerifierKeys([formatVerifierKey(ed)], ORIGIN);
  const trust = (logSignatures: 'ed25519' | 'ml-dsa-44' | 'both' | 'either') => ({ ...base, mlDsaKeys: [parseMlDsaKey(formatMlDsaKey(pq))], logSignatures });
  for (const p of ['ed25519', 'ml-dsa-44', 'both', 'either'] as const) assert.ok(verifyCheckpoint(both, trust(p)).ok, p);
  const edOnly = signNote(BODY, ed);
  assert.ok(verifyCheckpoint(edOnly, trust('ed25519')).ok);
  assert.ok(verifyCheckpoint(edOnly, trust('either')).ok);
  assert.equal((verifyCheckpoint(edOnly, trust('ml-dsa-44')) as { code: string }).code, 'UNKNOWN_KEY');
  assert.equal((verifyCheckpoint(edOnly, trust('both')) as { code: string }).code, 'UNKNOWN_KEY');
  const pqOnly = `${BODY}\n${mlDsaCheckpointLine(BODY, pq, 1_790_000_000)}`;
  assert.ok(verifyCheckpoint(pqOnly, trust('ml-dsa-44')).ok);
  assert.ok(verifyCheckpoint(pqOnly, trust('either')).ok);
  assert.equal(verifyCheckpoint(pqOnly, trust('ed25519')).ok, false);
});

test('an ML-DSA-44 line over another tree, or by a key of another name, does not count', () => {
  const other = formatCheckpoint({ origin: ORIGIN, size: 8, rootHash: ROOT, extensions: [] });
  const moved = `${signNote(BODY, ed)}${mlDsaCheckpointLine(other, pq, 1_790_000_000)}`;
  const r = verifyMlDsaLines(moved, [parseMlDsaKey(formatMlDsaKey(pq))]);
  assert.equal(!r.ok && r.code, 'BAD_SIGNATURE');
  const stranger = mlDsaSignerFromSeed('someone.else/log', Buffer.alloc(32, 9));
  const theirs = verifyMlDsaLines(`${signNote(BODY, ed)}${mlDsaCheckpointLine(BODY, stranger, 1)}`, [parseMlDsaKey(formatMlDsaKey(pq))]);
  assert.ok(theirs.ok);
  assert.equal(theirs.signedBy.length, 0, 'a line by an unknown key is ignored');
});
