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
