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
