import { strict as assert } from 'node:assert';
import { test } from 'node:test';
import { cosigner, cosignatureLine, formatCosignerKey, parseCosignerKey } from './cosignature.js';
import { ed25519FromSeed, formatVerifierKey, noteSigner, signNote } from './note.js';
import { trustFromVerifierKeys, verifyCheckpoint } from './verify.js';

const ORIGIN = '127.0.0.1:8080/logs/DEMO-DL';
const BODY = `${ORIGIN}\n5\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n`;
const log = noteSigner(ORIGIN, ed25519FromSeed(Buffer.alloc(32, 1)));
const w1 = cosigner('peer.example/witness', ed25519FromSeed(Buffer.alloc(32, 2)));
const w2 = cosigner('other.example/witness', ed25519FromSeed(Buffer.alloc(32, 3)));
const note = signNote(BODY, log);
const withCosig = (n: string, line: string) => `${n}${line}`;

async function trust(quorum: number) {
  const base = await trustFromVerifierKeys([formatVerifierKey(log)], ORIGIN);
  return { ...base, witnesses: { keys: [w1, w2].map((w) => parseCosignerKey(formatCosignerKey(w))), quorum } };
}

test('a witness policy counts distinct witnesses whose cosignature/v1 lines verify', async () => {
  const once = withCosig(note, cosignatureLine(BODY, w1, 1_700_000_000));
  const r = verifyCheckpoint(once, await trust(1));
  assert.ok(r.ok, JSON.stringify(r));
  assert.deepEqual(r.witnessedBy, ['peer.example/witness']);
  // Two lines by the same witness are one witness.
  const twice = withCosig(once, cosignatureLine(BODY, w1, 1_700_000_001));
  const short = verifyCheckpoint(twice, await trust(2));
  assert.equal(short.ok, false);
  assert.equal(!short.ok && short.code, 'NOT_WITNESSED');
  const both = verifyCheckpoint(withCosig(once, cosignatureLine(BODY, w2, 1_700_000_002)), await trust(2));
  assert.ok(both.ok);
  assert.deepEqual(both.witnessedBy, ['other.example/witness', 'peer.example/witness']);
});

test('without cosignatures the policy refuses; a cosignature over another checkpoint is a bad signature', async () => {
  const bare = verifyCheckpoint(note, await trust(1));
  assert.equal(!bare.ok && bare.code, 'NOT_WITNESSED');
  const forged = withCosig(note, cosignatureLine(BODY.replace('\n5\n', '\n6\n'), w1, 1_700_000_000));
  const r = verifyCheckpoint(forged, await trust(1));
  assert.equal(!r.ok && r.code, 'BAD_SIGNATURE');
  // With no policy the same note verifies on the log's signature alone.
  const plain = verifyCheckpoint(note, await trustFromVerifierKeys([formatVerifierKey(log)], ORIGIN));
  assert.ok(plain.ok);
  assert.deepEqual(plain.witnessedBy, []);
});

test('a checkpoint the witnesses never saw counts when a cosigned one is proven to extend it', async () => {
  const { RFC6962_SHA256, consistencyProof, rootFromLeafHashes } = await import('@ies/merkle');
  const { verifyWitnessedExtension } = await import('./verify.js');
  const leaves = Array.from({ length: 7 }, (_, i) => RFC6962_SHA256.hashLeaf(Buffer.from(`entry ${i}`)));
  const body = (size: number) => `${ORIGIN}\n${size}\n${Buffer.from(rootFromLeafHashes(RFC6962_SHA256, leaves.slice(0, size))).toString('base64')}\n`;
  const earlier = { origin: ORIGIN, size: 3, rootHash: rootFromLeafHashes(RFC6962_SHA256, leaves.slice(0, 3)) };
  const witnessed = withCosig(signNote(body(7), log), cosignatureLine(body(7), w1, 1_700_000_000));
  const proof = consistencyProof(RFC6962_SHA256, leaves, 3, 7).map((h) => Buffer.from(h).toString('base64'));
  const ok = verifyWitnessedExtension(earlier, { checkpoint: witnessed, consistency: proof }, await trust(1));
  assert.ok(ok.ok, JSON.stringify(ok));
  assert.deepEqual(ok.witnessedBy, ['peer.example/witness']);
  // Another history at size 3 (a fork shown to this verifier) is not extended by what the witness cosigned.
  const forked = { ...earlier, rootHash: rootFromLeafHashes(RFC6962_SHA256, [leaves[0]!, leaves[1]!, RFC6962_SHA256.hashLeaf(Buffer.from('forged'))]) };
  const fork = verifyWitnessedExtension(forked, { checkpoint: witnessed, consistency: proof }, await trust(1));
  assert.equal(!fork.ok && fork.code, 'INCONSISTENT');
  // Not cosigned by the policy's quorum: refused as such, whatever the proof.
  const short = verifyWitnessedExtension(earlier, { checkpoint: witnessed, consistency: proof }, await trust(2));
  assert.equal(!short.ok && short.code, 'NOT_WITNESSED');
  // An older witnessed checkpoint cannot vouch for a newer one.
  const older = verifyWitnessedExtension({ ...earlier, size: 8 }, { checkpoint: witnessed, consistency: proof }, await trust(1));
  assert.equal(!older.ok && older.code, 'INDEX_OUT_OF_RANGE');
});
