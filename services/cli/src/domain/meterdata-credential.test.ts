import { test } from 'node:test';
import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { signCredential, verifyMeterDataCredential, type PrivateEd25519Jwk } from '@ies/credentials';
import { parseStrictJson } from '@ies/crypto';
import { DEFAULT_POLICY, normaliseBatch } from '@ies/meterdata';
import { buildFleet, istDayStart, meterDay } from './fleet.js';
import { unsignedMeterDataCredential } from './meterdata-credential.js';

test('a simulated batch as a MeterDataCredential verifies and normalises to the rows it was made of', async () => {
  const fleet = buildFleet({ seed: 5, meters: 3, headEnds: 1 });
  const day = istDayStart('2026-11-20');
  const rows = fleet.flatMap((m) => meterDay(m, day, { seed: 5 }).slice(0, 12));
  const jwk = { ...(generateKeyPairSync('ed25519').privateKey.export({ format: 'jwk' }) as { x: string; d: string }), kty: 'OKP', crv: 'Ed25519', kid: 'sim-key' } as PrivateEd25519Jwk;
  const did = 'did:web:sim.ies.example:SIM-DL:SIM5-HE-1';
  const nowMs = Date.parse('2026-11-21T06:00:00Z');
  for (const kind of ['eddsa-jcs-2022', 'Ed25519Signature2020'] as const) {
    const signed = await signCredential(unsignedMeterDataCredential({ id: 'urn:ies-sim:SIM-5-batch-0', issuerDid: did, issuerName: 'sim', rows, nowMs, kind }), jwk, did, kind);
    const body = Buffer.from(JSON.stringify(signed));
    const claims = await verifyMeterDataCredential(body, { nowMs, maxSkewMs: 300_000, parseJson: parseStrictJson, issuerKey: () => ({ x: jwk.x }) });
    assert.equal(claims.proofKind, kind);
    const meters = new Map(fleet.map((m) => [m.meterId, { meterId: m.meterId, discomId: 'SIM-DL', sanctionedLoadW: m.sanctionedLoadW, derCapacityW: Math.max(m.pvCapacityW, 1), headEndId: m.headEndId }]));
    const result = normaliseBatch('IES_METERDATA_VC', body, { discomId: 'SIM-DL', meters: (id) => meters.get(id), senderId: fleet[0]!.headEndId, policy: { ...DEFAULT_POLICY, nowMs } }, parseStrictJson);
    assert.deepEqual(result.rejected, []);
    const expected = rows.flatMap((r) => [{ meterId: r.meterId, blockStart: r.blockStart, channel: 'IMPORT', wh: r.importWh }, { meterId: r.meterId, blockStart: r.blockStart, channel: 'EXPORT', wh: r.exportWh }]);
    const got = result.reads.map((r) => ({ meterId: r.meterId, blockStart: r.blockStart, channel: r.channel, wh: r.wh }));
    const key = (x: { meterId: string; blockStart: number; channel: string }) => `${x.meterId}/${x.blockStart}/${x.channel}`;
    assert.deepEqual(got.sort((a, b) => key(a).localeCompare(key(b))), expected.sort((a, b) => key(a).localeCompare(key(b))));
  }
});
