import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { CompactSign, decodeProtectedHeader } from 'jose';
import { Ed25519KeyFile } from '@ies/crypto';
import { SIDE_ALLOCATION_SCHEMA, type SideAllocation } from './domain/allocation.js';
import { SIDE_JWS_TYP, claimedSide, signSide, verifySide } from './side-signature.js';

const dir = mkdtempSync(path.join(tmpdir(), 'ies-side-'));
const side: SideAllocation = {
  schema: SIDE_ALLOCATION_SCHEMA, tradeId: 'TX-1/C-1', side: 'SELLER', discomId: 'BRPL-DL', meterId: 'M-1', version: 1, status: 'COMPLETED',
  intervals: [{ startMs: 1_776_000_600_000, endMs: 1_776_004_200_000, contractedWh: 4000, allocatedWh: 2801 }],
  evidence: [{ origin: 'ies.local/n/BRPL-DL', size: 3, rootHash: Buffer.alloc(32).toString('base64') }],
};

test('a side is a compact EdDSA JWS with typ and thumbprint kid that verifies with the public keys alone', async () => {
  const keys = await new Ed25519KeyFile(dir, 'BRPL-DL').current();
  const jws = await signSide(side, keys);
  assert.deepEqual(decodeProtectedHeader(jws), { alg: 'EdDSA', kid: keys.jwks[0]!.kid, typ: SIDE_JWS_TYP });
  assert.deepEqual(await verifySide(jws, keys.jwks), side);
  assert.deepEqual(claimedSide(jws), { discomId: 'BRPL-DL', tradeId: 'TX-1/C-1' });
  assert.equal(await signSide(side, keys), jws, 'Ed25519 signing is deterministic');
});

test('another DISCOM key, a tampered payload, a non-canonical payload or an invalid side are refused', async () => {
  const keys = await new Ed25519KeyFile(dir, 'BRPL-DL').current();
  const other = await new Ed25519KeyFile(dir, 'TPDDL-DL').current();
  const jws = await signSide(side, keys);
  await assert.rejects(verifySide(jws, other.jwks), { code: 'IES_ERR_P2P_SIDE_UNTRUSTED' });
  const [h, , s] = jws.split('.');
  const tampered = `${h}.${Buffer.from(JSON.stringify({ ...side, version: 2 })).toString('base64url')}.${s}`;
  await assert.rejects(verifySide(tampered, keys.jwks), { code: 'IES_ERR_P2P_SIDE_UNTRUSTED' });
  const sign = (payload: string) => new CompactSign(new TextEncoder().encode(payload)).setProtectedHeader({ alg: 'EdDSA', kid: keys.jwks[0]!.kid!, typ: SIDE_JWS_TYP }).sign(keys.privateKeys[0]!);
  await assert.rejects(verifySide(await sign(JSON.stringify(side, null, 1)), keys.jwks), { code: 'IES_ERR_P2P_SIDE_INVALID', message: /not the RFC 8785 JSON/ });
  const over = { ...side, intervals: [{ ...side.intervals[0]!, allocatedWh: 5000 }] };
  await assert.rejects(verifySide(await sign(JSON.stringify(over)), keys.jwks), { code: 'IES_ERR_P2P_SIDE_INVALID', message: /exceeds contracted/ });
  assert.throws(() => claimedSide('not-a-jws'), { code: 'IES_ERR_P2P_SIDE_INVALID' });
});
