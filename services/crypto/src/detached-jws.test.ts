import { test } from 'node:test';
import assert from 'node:assert/strict';
import { IesError } from '@ies/errors';
import { checkRequestBinding, exportPrivateJwk, generateSigningKey, importPrivateJwk, signDetached, verifyDetached } from './detached-jws.js';

const BINDING = { htm: 'POST', htu: '/v1/meter-data', tenant: 'BRPL-DL' };

const body = new TextEncoder().encode('meter_id,block_start,import_wh,export_wh,status\nM-1,2026-11-19T18:30:00Z,412,0,VALID\n');
const b64 = (o: object) => Buffer.from(JSON.stringify(o)).toString('base64url');
const refused = (re: RegExp) => (err: unknown) => err instanceof IesError && err.code === 'IES_ERR_SIGNATURE_INVALID' && re.test(err.message);

for (const alg of ['EdDSA', 'ES256'] as const) {
  test(`${alg}: a detached signature over the exact bytes verifies and returns its header`, async () => {
    const key = await generateSigningKey(alg);
    const jws = await signDetached(body, key, { iat: 1_795_300_000, jti: 'B-1', ...BINDING });
    assert.match(jws, /^[\w-]+\.\.[\w-]+$/);
    const header = await verifyDetached(body, jws, (kid) => (kid === key.kid ? key.publicJwk : undefined));
    assert.deepEqual({ alg: header.alg, kid: header.kid, iat: header.iat, jti: header.jti }, { alg, kid: key.kid, iat: 1_795_300_000, jti: 'B-1' });
  });
}

test('a tampered body, an unknown kid and another key are refused', async () => {
  const key = await generateSigningKey();
  const other = await generateSigningKey();
  const jws = await signDetached(body, key, { iat: 1, jti: 'B-1', ...BINDING });
  const tampered = Uint8Array.from(body);
  tampered[60] = tampered[60]! ^ 1;
  await assert.rejects(verifyDetached(tampered, jws, () => key.publicJwk), refused(/does not verify/));
  await assert.rejects(verifyDetached(body, jws, () => undefined), refused(/not a registered, active key/));
  await assert.rejects(verifyDetached(body, jws, () => other.publicJwk), refused(/does not verify/));
});

test('alg none and HMAC are refused before any key is looked up', async () => {
  let looked = false;
  const resolver = () => { looked = true; return undefined; };
  await assert.rejects(verifyDetached(body, `${b64({ alg: 'none', kid: 'k', b64: false, crit: ['b64'] })}..`, resolver), refused(/"none" is not allowed/));
  await assert.rejects(verifyDetached(body, `${b64({ alg: 'HS256', kid: 'k', b64: false, crit: ['b64'] })}..c2ln`, resolver), refused(/"HS256" is not allowed/));
  assert.equal(looked, false);
});

test('an attached or encoded-payload JWS is refused', async () => {
  const key = await generateSigningKey();
  const jws = await signDetached(body, key, { iat: 1, jti: 'B-1', ...BINDING });
  const [h, , s] = jws.split('.');
  await assert.rejects(verifyDetached(body, `${h}.${Buffer.from(body).toString('base64url')}.${s}`, () => key.publicJwk), refused(/detached compact JWS/));
  await assert.rejects(verifyDetached(body, `${b64({ alg: 'EdDSA', kid: key.kid })}..${s}`, () => key.publicJwk), refused(/unencoded payload/));
});

test('a key written as a private JWK signs the same after reading it back', async () => {
  for (const alg of ['EdDSA', 'ES256'] as const) {
    const key = await generateSigningKey(alg);
    const loaded = await importPrivateJwk(JSON.parse(JSON.stringify(await exportPrivateJwk(key))));
    assert.equal(loaded.kid, key.kid);
    const jws = await signDetached(body, loaded, { iat: 1, jti: 'x', ...BINDING });
    await verifyDetached(body, jws, () => key.publicJwk);
  }
});

test('the protected header binds a signature to its request: method, path and tenant', async () => {
  const key = await generateSigningKey();
  const header = await verifyDetached(body, await signDetached(body, key, { iat: 1, jti: 'B-1', ...BINDING }), () => key.publicJwk);
  checkRequestBinding(header, { htm: 'POST', htu: '/v1/meter-data', tenant: 'BRPL-DL' });
  const unbound = (re: RegExp) => (err: unknown) => err instanceof IesError && err.code === 'IES_ERR_SIGNATURE_UNBOUND' && re.test(err.message);
  assert.throws(() => checkRequestBinding(header, { htm: 'POST', htu: '/v1/dr/events/E-2/transitions', tenant: 'BRPL-DL' }), unbound(/another request: htu/));
  assert.throws(() => checkRequestBinding(header, { htm: 'POST', htu: '/v1/meter-data', tenant: 'TPDDL-DL' }), unbound(/tenant "BRPL-DL"/));
  assert.throws(() => checkRequestBinding(header, { htm: 'PUT', htu: '/v1/meter-data', tenant: 'BRPL-DL' }), unbound(/htm "POST"/));
  // A header without the binding members (a signature made the old way) is refused, naming what is missing.
  const { htm: _m, htu: _u, tenant: _t, ...bare } = header;
  assert.throws(() => checkRequestBinding(bare, { htm: 'POST', htu: '/v1/meter-data', tenant: 'BRPL-DL' }), unbound(/missing htm, htu, tenant/));
});

test('an absent signature or body is a clear refusal, not a crash', async () => {
  const key = await generateSigningKey();
  await assert.rejects(verifyDetached(body, undefined as unknown as string, () => key.publicJwk), (err: unknown) => err instanceof IesError && err.code === 'IES_ERR_AUTH_MISSING');
  await assert.rejects(verifyDetached(body, '', () => key.publicJwk), (err: unknown) => err instanceof IesError && err.code === 'IES_ERR_AUTH_MISSING');
});

test('a key that does not suit the header alg, a private or encryption JWK and unknown critical parameters are refused', async () => {
  const ed = await generateSigningKey('EdDSA');
  const ec = await generateSigningKey('ES256');
  const edJws = await signDetached(body, ed, { iat: 1, jti: 'B-1', ...BINDING });
  const ecJws = await signDetached(body, ec, { iat: 1, jti: 'B-1', ...BINDING });
  await assert.rejects(verifyDetached(body, edJws, () => ec.publicJwk), refused(/does not verify/));
  await assert.rejects(verifyDetached(body, ecJws, () => ed.publicJwk), refused(/does not verify/));
  await assert.rejects(verifyDetached(body, edJws, () => ({ ...ed.publicJwk, use: 'enc' })), refused(/does not verify/));
  await assert.rejects(verifyDetached(body, edJws, () => ({ ...ed.publicJwk, alg: 'ES256' })), refused(/does not verify/));
  await assert.rejects(verifyDetached(body, edJws, () => ({ ...ed.publicJwk, key_ops: ['sign'] })), refused(/does not verify/));
  await assert.rejects(verifyDetached(body, edJws, async () => exportPrivateJwk(ed)), refused(/does not verify/));
  const [head, , sig] = edJws.split('.') as [string, string, string];
  const header = JSON.parse(Buffer.from(head, 'base64url').toString()) as Record<string, unknown>;
  for (const crit of [['b64', 'exp'], ['b64', 'b64'], []]) {
    await assert.rejects(verifyDetached(body, `${b64({ ...header, crit })}..${sig}`, () => ed.publicJwk), refused(/unencoded payload option/));
  }
  await assert.rejects(verifyDetached(body, `${head}..${sig.slice(0, -2)}!${sig.slice(-1)}`, () => ed.publicJwk), refused(/does not verify/));
});

test('verification agrees with jose flattenedVerify on good and bad signatures (EdDSA, ES256)', async () => {
  const { flattenedVerify } = await import('jose');
  for (const alg of ['EdDSA', 'ES256'] as const) {
    const key = await generateSigningKey(alg);
    for (let i = 0; i < 20; i += 1) {
      const jws = await signDetached(body, key, { iat: i, jti: `B-${i}`, ...BINDING });
      const [protectedB64, , signature] = jws.split('.') as [string, string, string];
      const bad = Buffer.from(signature, 'base64url');
      bad[i % bad.length] = bad[i % bad.length]! ^ 1;
      for (const sig of [signature, bad.toString('base64url')]) {
        const byJose = await flattenedVerify({ protected: protectedB64, payload: body, signature: sig }, key.publicJwk, { algorithms: [alg] }).then(() => true, () => false);
        const ours = await verifyDetached(body, `${protectedB64}..${sig}`, () => key.publicJwk).then(() => true, () => false);
        assert.equal(ours, byJose);
      }
    }
  }
});
