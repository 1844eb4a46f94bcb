import { strict as assert } from 'node:assert';
import { test } from 'node:test';
import { generateKeyPairSync } from 'node:crypto';
import { calculateJwkThumbprint, exportJWK, type JWK } from 'jose';
import { RFC6962_SHA256 } from '@ies/merkle';
import { AppendWindow, EMPTY_RANGE } from './append-window.js';
import { batchTree, readPath } from './batch-tree.js';
import {
  canonicalReadBytes, formatCheckpoint, logEntryBytes, noteSigner, signNote, signReceipt, verifyCheckpointConsistency, verifyReadProof, verifyReceipt,
  type LogEntry, type PublicRead, type ReceiptBody, type ReceiptDocument, type TrustAnchors,
} from '@ies/verify';

const ORIGIN = 'ies.test/log/BRPL-DL';
const { privateKey, publicKey } = generateKeyPairSync('ed25519');
const signer = noteSigner(ORIGIN, privateKey);

async function fixture() {
  const jwk: JWK = await exportJWK(publicKey);
  const kid = await calculateJwkThumbprint(jwk);
  const trust: TrustAnchors = { noteKeys: [signer], jwks: [{ ...jwk, kid }], origin: ORIGIN };
  const reads: PublicRead[] = Array.from({ length: 5 }, (_, i) => ({ discomId: 'BRPL-DL', meterId: `SM-${i}`, blockStart: Date.UTC(2026, 10, 19, 18, 30), channel: 'IMPORT', wh: 100 + i, validationStatus: 'VALID', source: 'HES' }));
  const tree = batchTree(reads);
  const entries: LogEntry[] = Array.from({ length: 3 }, (_, i) => ({ batchId: `HE-1:b${i}`, discomId: 'BRPL-DL', headEndId: 'HE-1', readCount: 5, batchRoot: Buffer.from(tree.root).toString('base64'), acceptedAt: '2026-11-20T00:00:00.000Z' }));
  const w = new AppendWindow(EMPTY_RANGE, entries.map((e) => RFC6962_SHA256.hashLeaf(logEntryBytes(e))));
  const checkpoint = signNote(formatCheckpoint({ origin: ORIGIN, size: w.size, rootHash: w.root(), extensions: [] }), signer);
  const docs: ReceiptDocument[] = [];
  for (const [i, e] of entries.entries()) {
    const receipt: ReceiptBody = { ...e, v: 1, logIndex: i, checkpoint, inclusionProof: w.inclusionProof(i).map((h) => Buffer.from(h).toString('base64')) };
    docs.push({ receipt, jws: await signReceipt(receipt, { kid, privateKey }) });
  }
  return { trust, reads, tree, docs, w, checkpoint };
}

test('receipts and read proofs verify with public keys alone', async () => {
  const { trust, reads, tree, docs } = await fixture();
  for (const d of docs) assert.ok((await verifyReceipt(d, trust)).ok);
  const proof = { read: reads[3]!, indexInBatch: 3, batchPath: readPath(tree, 3).map((h) => Buffer.from(h).toString('base64')), receipt: docs[1]! };
  assert.ok((await verifyReadProof(proof, trust)).ok);
});

test('every tampering is refused with its own code', async () => {
  const { trust, reads, tree, docs } = await fixture();
  const d = docs[1]!;
  const expect = async (doc: ReceiptDocument, code: string) => {
    const r = await verifyReceipt(doc, trust);
    assert.equal(r.ok ? 'ok' : r.code, code);
  };
  await expect({ ...d, receipt: { ...d.receipt, readCount: 6 } }, 'PAYLOAD_MISMATCH');
  await expect({ ...d, jws: docs[0]!.jws }, 'PAYLOAD_MISMATCH');
  await expect({ ...d, jws: d.jws.slice(0, -4) + (d.jws.endsWith('AAAA') ? 'BBBB' : 'AAAA') }, 'BAD_SIGNATURE');
  const other = await verifyReceipt(d, { ...trust, jwks: [] });
  assert.equal(other.ok ? 'ok' : other.code, 'UNKNOWN_KEY');
  const wrongOrigin = await verifyReceipt(d, { ...trust, origin: 'elsewhere' });
  assert.equal(wrongOrigin.ok ? 'ok' : wrongOrigin.code, 'WRONG_ORIGIN');
  const path = readPath(tree, 2).map((h) => Buffer.from(h).toString('base64'));
  const wrongRead = await verifyReadProof({ read: { ...reads[2]!, wh: 999 }, indexInBatch: 2, batchPath: path, receipt: d }, trust);
  assert.equal(wrongRead.ok ? 'ok' : wrongRead.code, 'READ_NOT_IN_BATCH');
  const wrongIndex = await verifyReadProof({ read: reads[2]!, indexInBatch: 1, batchPath: path, receipt: d }, trust);
  assert.equal(wrongIndex.ok ? 'ok' : wrongIndex.code, 'READ_NOT_IN_BATCH');
});

test('consistency between two checkpoints of one log verifies; a forked checkpoint does not', async () => {
  const { trust, w, checkpoint } = await fixture();
  const more = new AppendWindow(w.compactRange(), [RFC6962_SHA256.hashLeaf(Uint8Array.of(9))]);
  const later = signNote(formatCheckpoint({ origin: ORIGIN, size: more.size, rootHash: more.root(), extensions: [] }), signer);
  const proof = more.consistencyProof().map((h) => Buffer.from(h).toString('base64'));
  assert.ok(verifyCheckpointConsistency(checkpoint, later, proof, trust).ok);
  const fork = new AppendWindow(w.compactRange(), [RFC6962_SHA256.hashLeaf(Uint8Array.of(8))]);
  const forked = signNote(formatCheckpoint({ origin: ORIGIN, size: fork.size, rootHash: fork.root(), extensions: [] }), signer);
  const r = verifyCheckpointConsistency(checkpoint, forked, proof, trust);
  assert.equal(r.ok ? 'ok' : r.code, 'INCONSISTENT');
});

test('the string-hashed read leaf equals the RFC 6962 leaf hash of the canonical bytes', async () => {
  const { reads } = await fixture();
  const { readLeafHash } = await import('./batch-tree.js');
  for (const r of [...reads, { ...reads[0]!, meterId: 'é€😀"\\' }]) assert.deepEqual(Buffer.from(readLeafHash(r)), Buffer.from(RFC6962_SHA256.hashLeaf(canonicalReadBytes(r))));
});

test('a batch record root (DISCOM carried once) equals the root over full public reads', async () => {
  const { reads, tree } = await fixture();
  const { batchRootOf } = await import('./batch-tree.js');
  const bare = reads.map(({ discomId: _d, ...r }) => r);
  assert.deepEqual(Buffer.from(batchRootOf('BRPL-DL', bare)), Buffer.from(tree.root));
});
