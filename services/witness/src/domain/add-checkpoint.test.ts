import { strict as assert } from 'node:assert';
import { test } from 'node:test';
import { generateKeyPairSync } from 'node:crypto';
import { RFC6962_SHA256 } from '@ies/merkle';
import { formatCheckpoint, noteSigner, parseVerifierKey, signNote, type NoteVerifier } from '@ies/verify';
import { TestLog } from '../../test/test-log.js';
import { formatAddCheckpointRequest } from './add-checkpoint-request.js';
import { judgeCheckpoint, openAddCheckpoint, type Judged, type WitnessedLog } from './add-checkpoint.js';

const log = new TestLog('ies.test/node-b/BRPL-DL').append(20);
const trusted = (l: TestLog) => (origin: string): readonly NoteVerifier[] | undefined => (origin === l.origin ? [parseVerifierKey(l.vkey)] : undefined);
const witnessed = (size: number, l = log): WitnessedLog => ({ size, rootHash: l.root(size) });

function submit(l: TestLog, oldSize: number, size: number, proof = l.proof(oldSize, size), note = l.checkpoint(size)): string {
  return formatAddCheckpointRequest({ oldSize, proof, checkpointNote: note });
}

function judge(text: string, known: WitnessedLog | undefined, l = log): Judged {
  const opened = openAddCheckpoint(text, trusted(l));
  assert.ok(opened.ok, !opened.ok ? opened.refusal.reason : '');
  return judgeCheckpoint(opened.opened, known);
}

function refusal(j: Judged): string {
  return j.ok ? 'accepted' : j.refusal.code;
}

test('a first checkpoint (old 0, no proof) is accepted and becomes the record', () => {
  const j = judge(submit(log, 0, 7), undefined);
  assert.ok(j.ok);
  assert.equal(j.next.size, 7);
  assert.deepEqual(j.next.rootHash, log.root(7));
});

test('a growing log is accepted step by step with RFC 6962 consistency proofs, for every pair of sizes', () => {
  for (let from = 1; from <= 20; from++) {
    for (let to = from; to <= 20; to++) {
      const j = judge(submit(log, from, to), witnessed(from));
      assert.ok(j.ok, `${from} → ${to}: ${!j.ok ? j.refusal.reason : ''}`);
      assert.equal(j.next.size, to);
    }
  }
});

test('old size other than the recorded one is a conflict carrying the known size', () => {
  const j = judge(submit(log, 5, 9), witnessed(7));
  assert.equal(refusal(j), 'CONFLICT');
  assert.equal(!j.ok && j.refusal.code === 'CONFLICT' && j.refusal.knownSize, 7);
  const fresh = judge(submit(log, 3, 9), undefined);
  assert.equal(!fresh.ok && fresh.refusal.code === 'CONFLICT' && fresh.refusal.knownSize, 0);
  const restart = judge(submit(log, 0, 9), witnessed(7));
  assert.equal(!restart.ok && restart.refusal.code === 'CONFLICT' && restart.refusal.knownSize, 7);
});

test('a fork at the same size (another root) is refused as inconsistent', () => {
  const forked = log.fork(6).append(4, 'forked');
  assert.notDeepEqual(forked.root(10), log.root(10));
  const j = judge(submit(forked, 10, 10), witnessed(10), forked);
  assert.equal(refusal(j), 'INCONSISTENT');
  assert.match(!j.ok ? j.refusal.reason : '', /fork: size 10 was cosigned/);
});

test('a larger tree that does not extend the recorded one is refused, whatever proof comes with it', () => {
  const forked = log.fork(6).append(14, 'forked');
  // The forked log's own honest proof from 8 to 20 does not lead from the witness's root at 8.
  assert.equal(refusal(judge(submit(forked, 8, 20), witnessed(8), forked)), 'INCONSISTENT');
  // Nor does the honest log's proof for the same sizes (it ends at another root).
  assert.equal(refusal(judge(submit(forked, 8, 20, log.proof(8, 20)), witnessed(8), forked)), 'INCONSISTENT');
});

test('bad proofs are refused: mutated hash, missing, extra, reordered, and a proof from 0', () => {
  const good = log.proof(5, 13);
  assert.ok(good.length >= 2);
  const mutated = good.map((h, i) => (i === 1 ? Uint8Array.from(h, (b, k) => (k === 0 ? b ^ 1 : b)) : h));
  const cases: Uint8Array[][] = [mutated, good.slice(1), [...good, good[0]!], [...good].reverse(), []];
  for (const proof of cases) assert.equal(refusal(judge(submit(log, 5, 13, proof), witnessed(5))), 'INCONSISTENT');
  assert.equal(refusal(judge(submit(log, 0, 13, good), undefined)), 'INCONSISTENT');
  // Same size, same root, but a proof sent anyway.
  assert.equal(refusal(judge(submit(log, 13, 13, good), witnessed(13))), 'INCONSISTENT');
});

test('a size-0 checkpoint must carry the empty root', () => {
  const empty = new TestLog('ies.test/empty');
  assert.ok(judge(submit(empty, 0, 0), undefined, empty).ok);
  assert.deepEqual(empty.root(0), RFC6962_SHA256.emptyRoot());
  const lying = signNote(formatCheckpoint({ origin: empty.origin, size: 0, rootHash: log.root(3), extensions: [] }), empty.signer);
  assert.equal(refusal(judge(submit(empty, 0, 0, [], lying), undefined, empty)), 'INCONSISTENT');
});

test('unknown origin is UNKNOWN_LOG; an untrusted or broken signature is BAD_SIGNATURE; old above size and bad text are MALFORMED', () => {
  const codeOf = (text: string, l = log): string => {
    const o = openAddCheckpoint(text, trusted(l));
    return o.ok ? 'opened' : o.refusal.code;
  };
  const stranger = new TestLog('ies.test/stranger').append(3);
  assert.equal(codeOf(submit(stranger, 0, 3)), 'UNKNOWN_LOG');
  // The right origin and name, another key: no trusted signature.
  const impostor = new TestLog(log.origin, noteSigner(log.origin, generateKeyPairSync('ed25519').privateKey)).append(3);
  assert.equal(codeOf(submit(impostor, 0, 3)), 'BAD_SIGNATURE');
  // A trusted key's signature over other text (the root changed after signing).
  const note = log.checkpoint(5);
  const tampered = note.replace(Buffer.from(log.root(5)).toString('base64'), Buffer.from(log.root(6)).toString('base64'));
  assert.equal(codeOf(submit(log, 0, 5, [], tampered)), 'BAD_SIGNATURE');
  assert.equal(codeOf(submit(log, 6, 5, [])), 'MALFORMED');
  assert.equal(codeOf('old 0\n\nnot a checkpoint\n'), 'MALFORMED');
  assert.equal(codeOf(`old 0\n\n${log.checkpoint(5).replace('\n\n', '\n')}`), 'MALFORMED');
  // Signatures by unknown keys (other witnesses' cosignatures) are ignored.
  const other = noteSigner('witness.example/w9', generateKeyPairSync('ed25519').privateKey);
  const cosigned = `${log.checkpoint(5)}${signNote(log.checkpoint(5).split('\n\n')[0]! + '\n', other).split('\n\n')[1]}`;
  assert.equal(codeOf(submit(log, 0, 5, [], cosigned)), 'opened');
});
