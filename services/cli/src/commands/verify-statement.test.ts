import { strict as assert } from 'node:assert';
import { generateKeyPairSync } from 'node:crypto';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { publicJwkOf } from '@ies/crypto';
import { formatCheckpoint, formatVerifierKey, noteSigner, signNote } from '@ies/verify';
import { SETTLEMENT_KEY_ROLE } from '@ies/verify';
import { buildStatement, signStatement, type PolicyPack } from '@ies/settlement/testing';
import { runVerify } from './verify.js';

const ORIGIN = 'ies.test/log/CLI-DL';
const POLICY: PolicyPack = {
  policyId: 'CLI-DL.p', discomId: 'CLI-DL', version: 1, effectiveFrom: '2026-01-01',
  p2p: { wheeling: { buyerPaisePerKwh: 0, sellerPaisePerKwh: 0 }, transactionCharge: { buyerPaisePerKwh: 21, sellerPaisePerKwh: 21 }, sellerShortfall: { treatment: 'WAIVED' }, buyerShortfall: { treatment: 'WAIVED' } },
};

test('ies verify statement: 0 on a genuine statement (and its evidence), 1 with a code on any mismatch, 2 on misuse', async () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'ies-verify-stmt-'));
  const put = (name: string, text: string) => {
    writeFileSync(path.join(dir, name), text);
    return path.join(dir, name);
  };
  const notary = generateKeyPairSync('ed25519').privateKey;
  const signer = noteSigner(ORIGIN, notary);
  const root = Buffer.alloc(32, 7);
  mkdirSync(path.join(dir, 'cps'));
  put('cps/5.txt', signNote(formatCheckpoint({ origin: ORIGIN, size: 5, rootHash: root, extensions: [] }), signer));
  const statementWith = (rootHash: string) => buildStatement({ discomId: 'CLI-DL', scope: { kind: 'DAY', day: '2026-04-26' }, drLines: [{ eventId: 'DR-1', day: '2026-04-26', aggregatorId: 'agg', kind: 'DR_INCENTIVE', amountPaise: 1234 }], evidence: [{ origin: ORIGIN, size: 5, rootHash }] }, POLICY);
  const key = generateKeyPairSync('ed25519').privateKey;
  const jwk = await publicJwkOf(key);
  const signed = { kid: jwk.kid as string, privateKey: key };
  const good = put('good.jws', await signStatement(statementWith(root.toString('base64')).bytes, signed));
  const wrongRoot = put('wrong-root.jws', await signStatement(statementWith(Buffer.alloc(32, 8).toString('base64')).bytes, signed));
  const jwks = put('jwks.json', JSON.stringify({ keys: [{ ...jwk, 'ies:role': SETTLEMENT_KEY_ROLE }] }));
  const participantOnly = put('participant.json', JSON.stringify({ keys: [jwk] }));
  const vkey = formatVerifierKey(signer);
  const quiet = { log: console.log, error: console.error };
  console.log = () => {};
  console.error = () => {};
  try {
    assert.equal(await runVerify(['statement', good, '--jwks', jwks]), 0);
    assert.equal(await runVerify(['statement', good, '--jwks', jwks, '--checkpoints', path.join(dir, 'cps'), '--vkey', vkey]), 0);
    assert.equal(await runVerify(['statement', wrongRoot, '--jwks', jwks, '--checkpoints', path.join(dir, 'cps'), '--vkey', vkey]), 1);
    assert.equal(await runVerify(['statement', good, '--jwks', participantOnly]), 1);
    assert.equal(await runVerify(['statement', good]), 2);
    assert.equal(await runVerify(['statement', good, '--jwks', jwks, '--checkpoints', path.join(dir, 'cps')]), 2);
  } finally {
    Object.assign(console, quiet);
  }
});

test('ies verify statement --witness: each evidence checkpoint must be extended by a checkpoint the witnesses cosigned', async () => {
  const { RFC6962_SHA256, consistencyProof, rootFromLeafHashes } = await import('@ies/merkle');
  const { cosigner, cosignatureLine, formatCosignerKey } = await import('@ies/verify');
  const dir = mkdtempSync(path.join(tmpdir(), 'ies-verify-stmt-w-'));
  const put = (name: string, text: string) => {
    writeFileSync(path.join(dir, name), text);
    return path.join(dir, name);
  };
  const leaves = Array.from({ length: 8 }, (_, i) => RFC6962_SHA256.hashLeaf(Buffer.from(`entry ${i}`)));
  const root = (n: number) => Buffer.from(rootFromLeafHashes(RFC6962_SHA256, leaves.slice(0, n)));
  const signer = noteSigner(ORIGIN, generateKeyPairSync('ed25519').privateKey);
  const witness = cosigner('peer.ies.test/witness', generateKeyPairSync('ed25519').privateKey);
  const body8 = formatCheckpoint({ origin: ORIGIN, size: 8, rootHash: root(8), extensions: [] });
  mkdirSync(path.join(dir, 'cps'));
  put('cps/5.txt', signNote(formatCheckpoint({ origin: ORIGIN, size: 5, rootHash: root(5), extensions: [] }), signer));
  put('cps/witnessed-8.txt', `${signNote(body8, signer)}${cosignatureLine(body8, witness, 1_700_000_000)}`);
  const key = generateKeyPairSync('ed25519').privateKey;
  const jwk = await publicJwkOf(key);
  const statement = buildStatement({ discomId: 'CLI-DL', scope: { kind: 'DAY', day: '2026-04-26' }, drLines: [{ eventId: 'DR-1', day: '2026-04-26', aggregatorId: 'agg', kind: 'DR_INCENTIVE', amountPaise: 1234 }], evidence: [{ origin: ORIGIN, size: 5, rootHash: root(5).toString('base64') }] }, POLICY);
  const file = put('s.jws', await signStatement(statement.bytes, { kid: jwk.kid as string, privateKey: key }));
  const jwks = put('jwks.json', JSON.stringify({ keys: [{ ...jwk, 'ies:role': SETTLEMENT_KEY_ROLE }] }));
  const args = ['statement', file, '--jwks', jwks, '--checkpoints', path.join(dir, 'cps'), '--vkey', formatVerifierKey(signer), '--witness', formatCosignerKey(witness)];
  const quiet = { log: console.log, error: console.error };
  const errors: string[] = [];
  console.log = () => {};
  console.error = (m: string) => errors.push(m);
  try {
    // Without the consistency proof the witnessed checkpoint vouches for nothing.
    assert.equal(await runVerify(args), 1);
    assert.match(errors.at(-1)!, /EVIDENCE_NOT_WITNESSED: .*no consistency proof from size 5 to the witnessed size 8/);
    const proof = (from: number) => consistencyProof(RFC6962_SHA256, leaves, from, 8).map((h) => Buffer.from(h).toString('base64'));
    put('cps/5-8.consistency.json', JSON.stringify({ origin: ORIGIN, first: 5, second: 8, proof: proof(5) }));
    assert.equal(await runVerify(args), 0);
    // Two witnesses asked for, one cosigned.
    assert.equal(await runVerify([...args, '--quorum', '2']), 1);
    // A proof that does not connect the cited root to the witnessed one.
    put('cps/5-8.consistency.json', JSON.stringify({ origin: ORIGIN, first: 5, second: 8, proof: proof(5).map(() => Buffer.alloc(32, 9).toString('base64')) }));
    assert.equal(await runVerify(args), 1);
    assert.match(errors.at(-1)!, /EVIDENCE_NOT_WITNESSED: .*INCONSISTENT/);
  } finally {
    Object.assign(console, quiet);
  }
});
