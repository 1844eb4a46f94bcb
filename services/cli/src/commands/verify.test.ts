import { strict as assert } from 'node:assert';
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { calculateJwkThumbprint, type JWK } from 'jose';
import { RFC6962_SHA256 } from '@ies/merkle';
import { AppendWindow, EMPTY_RANGE } from '@ies/notary/log';
import { cosignatureLine, cosigner, formatCheckpoint, formatCosignerKey, formatVerifierKey, logEntryBytes, noteSigner, signNote, signReceipt, type LogEntry, type ReceiptBody } from '@ies/verify';
import { runVerify } from './verify.js';

const ORIGIN = 'ies.test/log/CLI-DL';

async function files() {
  const dir = mkdtempSync(path.join(tmpdir(), 'ies-verify-'));
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  const signer = noteSigner(ORIGIN, privateKey);
  const jwk = publicKey.export({ format: 'jwk' }) as JWK;
  const kid = await calculateJwkThumbprint({ crv: jwk.crv!, kty: jwk.kty!, x: jwk.x! });
  const entries: LogEntry[] = [0, 1, 2].map((i) => ({ batchId: `HE:${i}`, discomId: 'CLI-DL', headEndId: 'HE', readCount: 0, batchRoot: Buffer.from(RFC6962_SHA256.emptyRoot()).toString('base64'), acceptedAt: '2026-11-20T00:00:00.000Z' }));
  const w1 = new AppendWindow(EMPTY_RANGE, entries.slice(0, 1).map((e) => RFC6962_SHA256.hashLeaf(logEntryBytes(e))));
  const w2 = new AppendWindow(w1.compactRange(), entries.slice(1).map((e) => RFC6962_SHA256.hashLeaf(logEntryBytes(e))));
  const cp1 = signNote(formatCheckpoint({ origin: ORIGIN, size: 1, rootHash: w1.root(), extensions: [] }), signer);
  const cp2 = signNote(formatCheckpoint({ origin: ORIGIN, size: 3, rootHash: w2.root(), extensions: [] }), signer);
  const receipt: ReceiptBody = { ...entries[2]!, v: 1, logIndex: 2, checkpoint: cp2, inclusionProof: w2.inclusionProof(2).map((h) => Buffer.from(h).toString('base64')) };
  const jws = await signReceipt(receipt, { kid, privateKey });
  const witness = cosigner('peer.ies.test/witness', generateKeyPairSync('ed25519').privateKey);
  const cp2Body = cp2.slice(0, cp2.lastIndexOf('\n\n') + 1);
  const put = (name: string, text: string) => {
    writeFileSync(path.join(dir, name), text);
    return path.join(dir, name);
  };
  return {
    vkey: formatVerifierKey(signer),
    otherKey: formatVerifierKey(noteSigner(ORIGIN, generateKeyPairSync('ed25519').privateKey)),
    cp1: put('cp1.txt', cp1),
    cp2: put('cp2.txt', cp2),
    cp2Cosigned: put('cp2-cosigned.txt', `${cp2}${cosignatureLine(cp2Body, witness, 1_790_000_000)}`),
    witnessVkey: formatCosignerKey(witness),
    receipt: put('receipt.json', JSON.stringify({ receipt, jws })),
    bareJws: put('receipt.jws', jws),
    tampered: put('tampered.json', JSON.stringify({ receipt: { ...receipt, readCount: 1 }, jws })),
    consistency: put('consistency.json', JSON.stringify({ first: 1, second: 3, proof: w2.consistencyProof().map((h) => Buffer.from(h).toString('base64')) })),
    wrongSizes: put('wrong.json', JSON.stringify({ first: 2, second: 3, proof: w2.consistencyProof().map((h) => Buffer.from(h).toString('base64')) })),
  };
}

test('ies verify exits 0 on genuine artefacts, 1 with a reason on any mismatch, 2 on misuse', async () => {
  const f = await files();
  const quiet = { log: console.log, error: console.error };
  console.log = () => {};
  console.error = () => {};
  try {
    assert.equal(await runVerify(['checkpoint', f.cp2, '--vkey', f.vkey]), 0);
    assert.equal(await runVerify(['receipt', f.receipt, '--vkey', f.vkey]), 0);
    assert.equal(await runVerify(['receipt', f.bareJws, '--vkey', f.vkey, '--origin', ORIGIN]), 0);
    assert.equal(await runVerify(['consistency', f.cp1, f.cp2, f.consistency, '--vkey', f.vkey]), 0);
    assert.equal(await runVerify(['checkpoint', f.cp2, '--vkey', f.otherKey]), 1);
    assert.equal(await runVerify(['receipt', f.tampered, '--vkey', f.vkey]), 1);
    assert.equal(await runVerify(['receipt', f.receipt, '--vkey', f.vkey, '--origin', 'elsewhere']), 1);
    assert.equal(await runVerify(['consistency', f.cp1, f.cp2, f.wrongSizes, '--vkey', f.vkey]), 1);
    assert.equal(await runVerify(['receipt', f.receipt]), 2);
    assert.equal(await runVerify(['nonsense', f.receipt, '--vkey', f.vkey]), 2);
    assert.equal(await runVerify(['checkpoint', f.cp2, '--vkey', 'not-a-key']), 2);
    // A 1-of-1 witness policy: the cosigned checkpoint passes, the bare one does not.
    assert.equal(await runVerify(['checkpoint', f.cp2Cosigned, '--vkey', f.vkey, '--witness', f.witnessVkey, '--quorum', '1']), 0);
    assert.equal(await runVerify(['checkpoint', f.cp2, '--vkey', f.vkey, '--witness', f.witnessVkey]), 1);
    assert.equal(await runVerify(['checkpoint', f.cp2Cosigned, '--vkey', f.vkey, '--witness', f.witnessVkey, '--quorum', '2']), 1);
    assert.equal(await runVerify(['checkpoint', f.cp2Cosigned, '--vkey', f.vkey, '--witness', f.vkey]), 2, 'a note key is not a witness key');
  } finally {
    Object.assign(console, quiet);
  }
});
