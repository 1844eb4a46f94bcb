import assert from 'node:assert/strict';
import { test } from 'node:test';
import { calculateJwkThumbprint } from 'jose';
import { RFC6962_SHA256, inclusionProof, rootFromLeafHashes } from '@ies/merkle';
import { ed25519FromSeed, formatCheckpoint, formatVerifierKey, logEntryBytes, noteSigner, signNote, signReceipt, trustFromVerifierKeys, type LogEntry, type ReceiptBody } from '@ies/verify';
import { batchRootOf, checkLog } from './log-invariant.js';
import type { BatchRecord, ReceiptRecord } from './records.js';

const D = 'AU-DL';
const ORIGIN = `ies.test/${D}`;
const signer = noteSigner(ORIGIN, ed25519FromSeed(new Uint8Array(32).fill(7)));
const b64 = (b: Uint8Array) => Buffer.from(b).toString('base64');

function batch(i: number): BatchRecord {
  const reads = [{ meterId: `M-${i}`, blockStart: Date.UTC(2026, 10, 20, 18, 30), channel: 'IMPORT' as const, wh: 100 + i, validationStatus: 'VALID', source: 'HES' }];
  return { position: `t/0/${i}`, batchId: `HE:${i}`, discomId: D, headEndId: 'HE', receivedAt: Date.UTC(2026, 10, 21, 1, 0), bodySha256: 'ab'.repeat(32), reads, rejected: [] };
}

/** A log of `n` entries as the notary writes it: each receipt with the checkpoint of the tree it completes. */
async function logOf(batches: readonly BatchRecord[]): Promise<ReceiptRecord[]> {
  const jwk = { crv: 'Ed25519', kty: 'OKP', x: b64(signer.publicKey).replaceAll('+', '-').replaceAll('/', '_').replace(/=+$/, '') };
  const key = { kid: await calculateJwkThumbprint(jwk), privateKey: signer.privateKey };
  const leaves: Uint8Array[] = [];
  const out: ReceiptRecord[] = [];
  for (const [i, b] of batches.entries()) {
    const entry: LogEntry = { batchId: b.batchId, discomId: D, headEndId: 'HE', readCount: b.reads.length, batchRoot: batchRootOf(b), acceptedAt: new Date(b.receivedAt).toISOString() };
    leaves.push(RFC6962_SHA256.hashLeaf(logEntryBytes(entry)));
    const checkpoint = signNote(formatCheckpoint({ origin: ORIGIN, size: leaves.length, rootHash: rootFromLeafHashes(RFC6962_SHA256, leaves), extensions: [] }), signer);
    const body: ReceiptBody = { ...entry, v: 1, logIndex: i, checkpoint, inclusionProof: inclusionProof(RFC6962_SHA256, leaves, i).map(b64) };
    out.push({ ...body, position: `receipts/0/${i}`, jws: await signReceipt(body, key) });
  }
  return out;
}

const trust = () => trustFromVerifierKeys([formatVerifierKey(signer)]);

test('a log rebuilt from its receipts holds every checkpoint and every batch once', async () => {
  const batches = [0, 1, 2, 3, 4].map(batch);
  const { result, log } = await checkLog({ discomId: D, origin: ORIGIN, batches, receipts: await logOf(batches), extraCheckpoints: [], trust: await trust() });
  assert.deepEqual(result.failures, []);
  assert.equal(log.size, 5);
  assert.equal(result.checked, 5 + 5 + 5);
});

test('roots and consistency from the built tree agree with the naive roots the checkpoints were signed with, at every size', async () => {
  const batches = Array.from({ length: 37 }, (_, i) => batch(i));
  const { result } = await checkLog({ discomId: D, origin: ORIGIN, batches, receipts: await logOf(batches), extraCheckpoints: [], trust: await trust() });
  assert.deepEqual(result.failures, []);
});

test('a receipt appended twice fails, naming the batch and where the copy sits', async () => {
  const batches = [0, 1, 2].map(batch);
  const receipts = await logOf(batches);
  const forged = [...receipts, { ...receipts[1]!, position: 'receipts/0/3' }];
  const { result } = await checkLog({ discomId: D, origin: ORIGIN, batches, receipts: forged, extraCheckpoints: [], trust: await trust() });
  assert.ok(result.failures.some((f) => f.record === 'receipt of batch HE:1 at receipts/0/3' && /log index 1 where the log rebuilt/.test(f.problem)), JSON.stringify(result.failures));
});

test('a batch without a receipt, a forked checkpoint and a missing key each fail', async () => {
  const batches = [0, 1, 2].map(batch);
  const receipts = await logOf(batches.slice(0, 2));
  const fork = signNote(formatCheckpoint({ origin: ORIGIN, size: 2, rootHash: new Uint8Array(32).fill(1), extensions: [] }), signer);
  const { result } = await checkLog({ discomId: D, origin: ORIGIN, batches, receipts, extraCheckpoints: [fork], trust: await trust() });
  const records = result.failures.map((f) => f.record);
  assert.ok(records.includes('batch HE:2 at t/0/2'), records.join('; '));
  assert.ok(records.includes(`checkpoint ${ORIGIN} size 2`), records.join('; '));
  assert.ok(records.includes('checkpoints of size 2'), records.join('; '));
  const unkeyed = await checkLog({ discomId: D, origin: ORIGIN, batches: [], receipts, extraCheckpoints: [], trust: undefined });
  assert.deepEqual(unkeyed.result.failures.map((f) => f.record), [`notary key of ${D}`]);
});

test('a receipt whose batch root is not what its reads give fails', async () => {
  const batches = [0, 1].map(batch);
  const receipts = await logOf(batches);
  const changed = [batches[0]!, { ...batches[1]!, reads: [{ ...batches[1]!.reads[0]!, wh: 999 }] }];
  const { result } = await checkLog({ discomId: D, origin: ORIGIN, batches: changed, receipts, extraCheckpoints: [], trust: await trust() });
  assert.deepEqual(result.failures.map((f) => f.record), ['batch HE:1']);
});
