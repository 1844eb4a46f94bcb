import { strict as assert } from 'node:assert';
import { generateKeyPairSync } from 'node:crypto';
import { test } from 'node:test';
import { RFC6962_SHA256, buildTree, inclusionProofFromTree, rootFromLeafHashes } from '@ies/merkle';
import { canonicalReadBytes, type PublicRead } from './canonical-read.js';
import { formatCheckpoint } from './checkpoint.js';
import { cosignatureLine, cosigner, formatCosignerKey, parseCosignerKey } from './cosignature.js';
import { logEntryBytes, type LogEntry } from './log-entry.js';
import { formatVerifierKey, noteSigner, signNote } from './note.js';
import { formatTlogProof, verifyTlogProof } from './tlog-proof.js';
import { trustFromVerifierKeys } from './verify.js';

const ORIGIN = '127.0.0.1:8080/logs/TP-DL';
const b64 = (b: Uint8Array) => Buffer.from(b).toString('base64');
const reads: PublicRead[] = [0, 1, 2].map((i) => ({ discomId: 'TP-DL', meterId: `M-${i}`, blockStart: Date.UTC(2026, 11, 1, 0, 15 * i), channel: 'IMPORT', wh: 100 + i, validationStatus: 'VALID', source: 'HES' }) as PublicRead);
const batchTree = buildTree(RFC6962_SHA256, reads.map((r) => RFC6962_SHA256.hashLeaf(canonicalReadBytes(r))));
const entries: LogEntry[] = [0, 1, 2, 3, 4].map((i) => ({ batchId: `HE:${i}`, discomId: 'TP-DL', headEndId: 'HE', readCount: 3, batchRoot: b64(batchTree.root), acceptedAt: '2026-12-01T00:00:00.000Z' }));
const logTree = buildTree(RFC6962_SHA256, entries.map((e) => RFC6962_SHA256.hashLeaf(logEntryBytes(e))));
const log = noteSigner(ORIGIN, generateKeyPairSync('ed25519').privateKey);
const witness = cosigner('peer.ies.test/witness', generateKeyPairSync('ed25519').privateKey);
const body = formatCheckpoint({ origin: ORIGIN, size: 5, rootHash: rootFromLeafHashes(RFC6962_SHA256, logTree.levels[0]!), extensions: [] });
const checkpoint = `${signNote(body, log)}${cosignatureLine(body, witness, 1_790_000_000)}`;
const proofOf = (index: number, extra: object = {}) => formatTlogProof({ extra: { v: 1, entry: entries[index]!, ...extra }, index, proof: inclusionProofFromTree(RFC6962_SHA256, logTree, index).map(b64), checkpoint });

test('a batch entry proof verifies with the log key and a 1-of-1 witness policy', async () => {
  const trust = { ...(await trustFromVerifierKeys([formatVerifierKey(log)], ORIGIN)), witnesses: { keys: [parseCosignerKey(formatCosignerKey(witness))], quorum: 1 } };
  const text = proofOf(3);
  assert.match(text, /^c2sp\.org\/tlog-proof@v1\nextra [A-Za-z0-9+/=]+\nindex 3\n/);
  const r = verifyTlogProof(text, trust);
  assert.ok(r.ok, JSON.stringify(r));
  assert.deepEqual(r.witnessedBy, ['peer.ies.test/witness']);
  // Another entry's bytes at index 3, or index 2 with entry 3's path: refused.
  assert.equal((verifyTlogProof(text.replace(/^extra .*$/m, `extra ${Buffer.from(JSON.stringify({ v: 1, entry: entries[2] })).toString('base64')}`), trust) as { code: string }).code, 'INCLUSION_MISMATCH');
  assert.equal((verifyTlogProof(text.replace('\nindex 3\n', '\nindex 2\n'), trust) as { code: string }).code, 'INCLUSION_MISMATCH');
  assert.equal((verifyTlogProof(text, { ...trust, witnesses: { keys: trust.witnesses.keys, quorum: 2 } }) as { code: string }).code, 'NOT_WITNESSED');
});

test('a read proof adds the read and its batch path in the extension', async () => {
  const trust = await trustFromVerifierKeys([formatVerifierKey(log)], ORIGIN);
  const read = { ...reads[1]!, blockStart: new Date(reads[1]!.blockStart).toISOString() };
  const text = proofOf(4, { read, indexInBatch: 1, batchPath: inclusionProofFromTree(RFC6962_SHA256, batchTree, 1).map(b64) });
  assert.ok(verifyTlogProof(text, trust).ok);
  const forged = proofOf(4, { read: { ...read, wh: 999 }, indexInBatch: 1, batchPath: inclusionProofFromTree(RFC6962_SHA256, batchTree, 1).map(b64) });
  assert.equal((verifyTlogProof(forged, trust) as { code: string }).code, 'READ_NOT_IN_BATCH');
  assert.equal((verifyTlogProof('not a proof', trust) as { code: string }).code, 'MALFORMED');
});
