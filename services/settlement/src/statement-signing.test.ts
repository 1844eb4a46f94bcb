import { test } from 'node:test';
import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { publicJwkOf } from '@ies/crypto';
import { CompactSign, type JWK } from 'jose';
import { buildStatement } from './domain/statement.js';
import { seal } from '@ies/verify';
import type { PolicyPack } from './domain/policy-pack.js';
import { detachedJws, signStatement } from './statement-signing.js';
import { SETTLEMENT_KEY_ROLE, verifyStatementJws } from '@ies/verify';

const POLICY: PolicyPack = {
  policyId: 'T.p', discomId: 'T-DL', version: 1, effectiveFrom: '2026-01-01',
  p2p: { wheeling: { buyerPaisePerKwh: 0, sellerPaisePerKwh: 0 }, transactionCharge: { buyerPaisePerKwh: 21, sellerPaisePerKwh: 21 }, sellerShortfall: { treatment: 'WAIVED' }, buyerShortfall: { treatment: 'WAIVED' } },
};
const statement = buildStatement({ discomId: 'T-DL', scope: { kind: 'DAY', day: '2026-04-26' }, drLines: [{ eventId: 'DR-1', day: '2026-04-26', aggregatorId: 'agg', kind: 'DR_INCENTIVE', amountPaise: 1234 }] }, POLICY);

async function key() {
  const { privateKey } = generateKeyPairSync('ed25519');
  const jwk = await publicJwkOf(privateKey);
  return { privateKey, kid: jwk.kid as string, jwk: { ...jwk, 'ies:role': SETTLEMENT_KEY_ROLE } as JWK };
}

test('a signed statement verifies with the settlement key alone, and signing is deterministic', async () => {
  const k = await key();
  const jws = await signStatement(statement.bytes, k);
  assert.equal(await signStatement(statement.bytes, k), jws);
  const r = await verifyStatementJws(jws, [k.jwk]);
  assert.ok(r.ok, JSON.stringify(r));
  assert.equal(r.sha256, statement.sha256);
  assert.equal(r.json, statement.json);
  assert.match(detachedJws(jws), /^[\w-]+\.\.[\w-]+$/);
});

test('unknown kid, a key of another role, a tampered payload, non-canonical JSON and unbalanced content are refused', async () => {
  const k = await key();
  const other = await key();
  const jws = await signStatement(statement.bytes, k);
  const check = async (j: string, keys: JWK[]) => {
    const r = await verifyStatementJws(j, keys);
    return r.ok ? 'OK' : r.code;
  };
  assert.equal(await check(jws, [other.jwk]), 'UNKNOWN_KEY');
  assert.equal(await check(jws, [{ ...k.jwk, 'ies:role': 'NOTARY' } as JWK]), 'NOT_SETTLEMENT_KEY');
  const [h, , s] = jws.split('.');
  const tampered = Buffer.from(statement.json.replace('"amountPaise":1234', '"amountPaise":1235')).toString('base64url');
  assert.equal(await check(`${h}.${tampered}.${s}`, [k.jwk]), 'BAD_SIGNATURE');
  const sign = (payload: string) => new CompactSign(Buffer.from(payload)).setProtectedHeader({ alg: 'EdDSA', kid: k.kid, typ: 'ies-statement+jws' }).sign(k.privateKey);
  assert.equal(await check(await sign(JSON.stringify(statement.content, null, 1)), [k.jwk]), 'NOT_CANONICAL');
  const unbalanced = seal({ ...statement.content, totals: { ...statement.content.totals, netPaise: 1 } });
  assert.equal(await check(await signStatement(unbalanced.bytes, k), [k.jwk]), 'NOT_BALANCED');
  assert.equal(await check('not-a-jws', [k.jwk]), 'MALFORMED');
});
