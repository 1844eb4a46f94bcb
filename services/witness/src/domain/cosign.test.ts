import { strict as assert } from 'node:assert';
import { test } from 'node:test';
import { generateKeyPairSync } from 'node:crypto';
import { cosigner, formatCosignerKey, openNote, parseCosignerKey, parseVerifierKey, verifyCosignatures } from '@ies/verify';
import { TestLog } from '../../test/test-log.js';
import { cosign } from './cosign.js';
import { keepSignaturesBy, mergeCosignatures } from './merge-cosignatures.js';

const log = new TestLog('ies.test/node-b/TPDDL-DL').append(5);
const newKey = cosigner('ies.test/node-a/witness', generateKeyPairSync('ed25519').privateKey);
const oldKey = cosigner('ies.test/node-a/witness', generateKeyPairSync('ed25519').privateKey);

test('one timestamped cosignature/v1 line per witness key, newest first', () => {
  const note = log.checkpoint();
  const body = note.slice(0, note.indexOf('\n\n') + 1);
  const lines = cosign(body, [newKey, oldKey], 1764720000);
  assert.equal(lines.split('\n').length, 3);
  assert.match(lines, /^— ies\.test\/node-a\/witness \S+\n— ies\.test\/node-a\/witness \S+\n$/u);
  const merged = mergeCosignatures(note, lines);
  for (const key of [newKey, oldKey]) {
    const r = verifyCosignatures(merged, [parseCosignerKey(formatCosignerKey(key))]);
    assert.ok(r.ok);
    assert.deepEqual(r.cosignatures.map((c) => c.timestamp), [1764720000]);
  }
  // The log's signature still opens with the log key.
  assert.ok(openNote(merged, [parseVerifierKey(log.vkey)]).ok);
});

test('the timestamp is never zero and a witness without keys cannot cosign', () => {
  assert.throws(() => cosign('o\n1\nAAAA\n', [newKey], 0), /positive/);
  assert.throws(() => cosign('o\n1\nAAAA\n', [], 1), /no key/);
});

test('merging replaces a cosignature by the same key and keeps the others', () => {
  const note = log.checkpoint();
  const body = note.slice(0, note.indexOf('\n\n') + 1);
  const first = mergeCosignatures(note, cosign(body, [newKey], 100));
  const again = mergeCosignatures(first, cosign(body, [newKey, oldKey], 200));
  const lines = again.slice(again.indexOf('\n\n') + 2, -1).split('\n');
  assert.equal(lines.length, 3, again);
  assert.ok(lines[0]!.startsWith(`— ${log.origin} `), 'the log signature stays first');
  const r = verifyCosignatures(again, [parseCosignerKey(formatCosignerKey(newKey))]);
  assert.ok(r.ok && r.cosignatures.length === 1 && r.cosignatures[0]!.timestamp === 200);
  assert.throws(() => mergeCosignatures(note, 'not a line\n'), /not a note signature line/);
  assert.throws(() => mergeCosignatures('no blank line\n', cosign(body, [newKey], 1)), /not a signed note/);
});

test('keepSignaturesBy drops lines by other keys', () => {
  const note = mergeCosignatures(log.checkpoint(), cosign(log.checkpoint().split('\n\n')[0]! + '\n', [oldKey], 5));
  const kept = keepSignaturesBy(note, [parseVerifierKey(log.vkey)]);
  assert.equal(kept, log.checkpoint());
  assert.throws(() => keepSignaturesBy(note, [newKey]), /none of the note's signatures/);
});
