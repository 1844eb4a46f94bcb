import { strict as assert } from 'node:assert';
import { test } from 'node:test';
import { createHash, createPublicKey, generateKeyPairSync, verify } from 'node:crypto';
import { cosigner, cosignatureLine, cosignatureMessage, formatCosignerKey, parseCosignerKey, verifyCosignatures } from './cosignature.js';
import { ed25519FromSeed, noteSigner, parseVerifierKey, signNote, formatVerifierKey } from './note.js';

const BODY = 'example.com/behind-the-sofa\n20852163\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n';
const SEED = Buffer.alloc(32, 7);

test('the signed message is the header line, the time line and the checkpoint body (tlog-cosignature example)', () => {
  assert.equal(cosignatureMessage(1679315147, BODY), `cosignature/v1\ntime 1679315147\n${BODY}`);
  assert.throws(() => cosignatureMessage(1, 'no newline'), /ends with a newline/);
  assert.throws(() => cosignatureMessage(-1, BODY), /non-negative/);
});

test('the key ID is SHA-256(name, newline, 0x04, public key)[:4] and the vkey carries type 0x04', () => {
  const c = cosigner('witness.example/w1', ed25519FromSeed(SEED));
  const expected = createHash('sha256').update('witness.example/w1\n').update(Uint8Array.of(0x04)).update(c.publicKey).digest().readUInt32BE(0);
  assert.equal(c.keyHash, expected);
  const vkey = formatCosignerKey(c);
  assert.match(vkey, /^witness\.example\/w1\+[0-9a-f]{8}\+/);
  assert.equal(Buffer.from(vkey.split('+').slice(2).join('+'), 'base64')[0], 0x04);
  assert.deepEqual(parseCosignerKey(vkey), { name: c.name, keyHash: c.keyHash, publicKey: c.publicKey });
  // A note key (type 0x01) is not a cosigner key, and the reverse.
  assert.throws(() => parseCosignerKey(formatVerifierKey(noteSigner('witness.example/w1', ed25519FromSeed(SEED)))), /signature type 0x04/);
  assert.throws(() => parseVerifierKey(vkey), /signature type 0x01/);
});

test('a cosignature line is key ID, big-endian u64 timestamp and an Ed25519 signature over the message', () => {
  const c = cosigner('witness.example/w1', ed25519FromSeed(SEED));
  const line = cosignatureLine(BODY, c, 1679315147);
  const m = /^— witness\.example\/w1 (\S+)\n$/u.exec(line);
  assert.ok(m, line);
  const blob = Buffer.from(m[1]!, 'base64');
  assert.equal(blob.length, 76);
  assert.equal(blob.readUInt32BE(0), c.keyHash);
  assert.equal(blob.readBigUInt64BE(4), 1679315147n);
  const pub = createPublicKey(c.privateKey);
  assert.ok(verify(null, Buffer.from(`cosignature/v1\ntime 1679315147\n${BODY}`), pub, blob.subarray(12)));
});

test('cosignatures on a signed checkpoint verify; other keys are ignored; a tampered one is refused', () => {
  const log = noteSigner('example.com/behind-the-sofa', generateKeyPairSync('ed25519').privateKey);
  const w1 = cosigner('witness.example/w1', ed25519FromSeed(SEED));
  const w2 = cosigner('witness.example/w2', generateKeyPairSync('ed25519').privateKey);
  const note = signNote(BODY, log) + cosignatureLine(BODY, w1, 1700000000) + cosignatureLine(BODY, w2, 1700000001);
  const v1 = parseCosignerKey(formatCosignerKey(w1));
  const r = verifyCosignatures(note, [v1]);
  assert.ok(r.ok);
  assert.deepEqual(r.cosignatures.map((x) => [x.cosigner.name, x.timestamp]), [['witness.example/w1', 1700000000]]);
  // The same key as a note key (type 0x01) has another key ID: nothing matches.
  const asNoteKey = { ...v1, keyHash: noteSigner(w1.name, w1.privateKey).keyHash };
  const none = verifyCosignatures(note, [asNoteKey]);
  assert.ok(none.ok && none.cosignatures.length === 0);
  // Another body (a fork at the same size) does not carry w1's cosignature.
  const forked = note.replace('CsUYapGG', 'DsUYapGG');
  const bad = verifyCosignatures(forked, [v1]);
  assert.equal(bad.ok === false && bad.code, 'BAD_SIGNATURE');
  // A changed timestamp is not what was signed.
  const line = cosignatureLine(BODY, w1, 1700000000);
  const blob = Buffer.from(line.trim().split(' ')[2]!, 'base64');
  blob.writeBigUInt64BE(1700000099n, 4);
  const shifted = `${signNote(BODY, log)}— witness.example/w1 ${blob.toString('base64')}\n`;
  assert.equal(verifyCosignatures(shifted, [v1]).ok, false);
});
