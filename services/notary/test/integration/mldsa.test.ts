// A tenant whose notary also signs with ML-DSA-44: every checkpoint carries both lines, the
// receipts still verify with the Ed25519 key alone, a policy may ask for either or both, and
// an ML-DSA-44 verifier written from the C2SP specs with pyca/cryptography (PyPI) accepts the
// post-quantum line (scripts/pq-judge).
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { createLogger } from '@ies/observability';
import { nullStream } from '@ies/testing';
import { parseMlDsaKey, receiptFromJws, verifyCheckpoint, verifyReceipt } from '@ies/verify';
import { startNotaryService } from '../../src/index.js';
import { checkpointAt, notaryFixture } from './support.js';

const ROOT = fileURLToPath(new URL('../../../../../', import.meta.url));
const fx = await notaryFixture();
const notary = await startNotaryService({ ...fx.env, IES_NOTARY_MLDSA44: 'true' }, { onFatal: () => {}, logger: createLogger({ name: 'it', level: 'silent' }, nullStream()) });
after(async () => {
  await notary.stop();
  await fx.close();
});

test('checkpoints carry Ed25519 and ML-DSA-44 lines; each policy verifies; the independent judge accepts the ML-DSA-44 line', async () => {
  const batchId = await fx.produceBatch();
  await fx.produceBatch();
  const note = await checkpointAt(fx, 2, 'the log at size 2');
  const keys = await fx.store.keys();
  assert.equal(keys?.mlDsaVerifierKeys?.length, 1, 'the ML-DSA-44 vkey is published');
  const mlDsaKeys = keys!.mlDsaVerifierKeys!.map((k) => parseMlDsaKey(k));
  const trust = await fx.trust();
  for (const logSignatures of ['ed25519', 'ml-dsa-44', 'both', 'either'] as const) {
    const r = verifyCheckpoint(note, { ...trust, mlDsaKeys, logSignatures });
    assert.ok(r.ok, `${logSignatures}: ${JSON.stringify(r)}`);
  }
  // Receipts embed the same checkpoint: Ed25519 verifiers are unaffected by the extra line.
  const jws = await fx.store.receipt(batchId);
  assert.ok(jws);
  assert.ok((await verifyReceipt(receiptFromJws(jws), trust)).ok);

  const dir = mkdtempSync(path.join(tmpdir(), 'ies-pq-'));
  writeFileSync(path.join(dir, 'checkpoint.txt'), note);
  const judged = await promisify(execFile)('bash', [path.join(ROOT, 'scripts/pq-judge/run.sh'), path.join(dir, 'checkpoint.txt'), keys!.mlDsaVerifierKeys![0]!], { env: process.env });
  assert.match(judged.stdout, /^VERIFIED: ML-DSA-44 line of /);
  // The judge refuses the same line over a changed checkpoint.
  writeFileSync(path.join(dir, 'changed.txt'), note.replace(/\n2\n/, '\n3\n'));
  await assert.rejects(promisify(execFile)('bash', [path.join(ROOT, 'scripts/pq-judge/run.sh'), path.join(dir, 'changed.txt'), keys!.mlDsaVerifierKeys![0]!], { env: process.env }), /NOT VERIFIED/);
  console.log(`ML-DSA-44 checkpoint: ${Buffer.byteLength(note)} bytes with both lines (Ed25519 line ${Buffer.byteLength(note.split('\n').find((l) => l.startsWith('—'))!) + 1} bytes)`);
});
