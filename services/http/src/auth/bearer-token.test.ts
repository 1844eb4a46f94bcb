import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SignJWT } from 'jose';
import { generateSigningKey, type KeyPair } from '@ies/crypto';
import { IesError } from '@ies/errors';
import { RegistryState } from '@ies/registry';
import { authenticateRead } from './bearer-token.js';

const NOW = Date.UTC(2026, 10, 21, 12, 0, 0);
const nowSec = NOW / 1000;

async function setup() {
  const registry = new RegistryState();
  const key = await generateSigningKey('EdDSA');
  const revoked = await generateSigningKey('ES256');
  const entry = (k: KeyPair, status: 'ACTIVE' | 'REVOKED') => ({ kind: 'KEY' as const, id: k.kid, discomId: 'BRPL-DL', updatedAt: 1, participant: null, meter: null, key: { participantId: 'AGG-1', jwk: JSON.stringify(k.publicJwk), status } });
  registry.apply(entry(key, 'ACTIVE'));
  registry.apply(entry(revoked, 'REVOKED'));
  return { registry, key, revoked };
}

function token(k: KeyPair, claims: { iss?: string; aud?: string; exp?: number | null; iat?: number | null }) {
  const jwt = new SignJWT({}).setProtectedHeader({ alg: k.alg, kid: k.kid }).setIssuer(claims.iss ?? 'AGG-1').setAudience(claims.aud ?? 'node-1');
  if (claims.iat !== null) jwt.setIssuedAt(claims.iat ?? nowSec);
  if (claims.exp !== null) jwt.setExpirationTime(claims.exp ?? nowSec + 120);
  return jwt.sign(k.privateKey);
}

const refused = (code: string, re?: RegExp) => (err: unknown) => err instanceof IesError && err.code === code && (re === undefined || re.test(err.message));

test('a short-lived token signed by a registered key identifies the participant and tenant', async () => {
  const { registry, key } = await setup();
  const who = await authenticateRead(registry, `Bearer ${await token(key, {})}`, { audience: 'node-1', nowMs: NOW });
  assert.deepEqual(who, { discomId: 'BRPL-DL', participantId: 'AGG-1', kid: key.kid });
});

test('wrong audience, wrong issuer, expired, too long-lived, no exp, revoked, unknown, missing', async () => {
  const { registry, key, revoked } = await setup();
  const opts = { audience: 'node-1', nowMs: NOW };
  await assert.rejects(authenticateRead(registry, `Bearer ${await token(key, { aud: 'node-2' })}`, opts), refused('IES_ERR_TOKEN_INVALID', /aud/));
  await assert.rejects(authenticateRead(registry, `Bearer ${await token(key, { iss: 'AGG-2' })}`, opts), refused('IES_ERR_TOKEN_INVALID', /iss/));
  await assert.rejects(authenticateRead(registry, `Bearer ${await token(key, { exp: nowSec - 60 })}`, opts), refused('IES_ERR_TOKEN_INVALID', /exp/));
  await assert.rejects(authenticateRead(registry, `Bearer ${await token(key, { exp: nowSec + 3600 })}`, opts), refused('IES_ERR_TOKEN_INVALID', /at most 300 s/));
  await assert.rejects(authenticateRead(registry, `Bearer ${await token(key, { exp: null })}`, opts), refused('IES_ERR_TOKEN_INVALID', /exp/));
  await assert.rejects(authenticateRead(registry, `Bearer ${await token(revoked, {})}`, opts), refused('IES_ERR_KEY_REVOKED'));
  const stranger = await generateSigningKey();
  await assert.rejects(authenticateRead(registry, `Bearer ${await token(stranger, {})}`, opts), refused('IES_ERR_TOKEN_INVALID', /not registered/));
  await assert.rejects(authenticateRead(registry, undefined, opts), refused('IES_ERR_AUTH_MISSING'));
  const hs = `${Buffer.from(JSON.stringify({ alg: 'HS256', kid: key.kid })).toString('base64url')}.e30.c2ln`;
  await assert.rejects(authenticateRead(registry, `Bearer ${hs}`, opts), refused('IES_ERR_TOKEN_INVALID', /"HS256" is not allowed/));
});

test('iat is required and may not be further ahead of the node clock than the skew window', async () => {
  const { registry, key } = await setup();
  const opts = { audience: 'node-1', nowMs: NOW, maxSkewSeconds: 300 };
  const yearAhead = nowSec + 365 * 86_400;
  await assert.rejects(authenticateRead(registry, `Bearer ${await token(key, { iat: yearAhead })}`, opts), refused('IES_ERR_TOKEN_INVALID', /iat 2027-11-21T12:00:00.000Z is 31536000 s ahead of the node clock 2026-11-21T12:00:00.000Z; at most 300 s/));
  await assert.rejects(authenticateRead(registry, `Bearer ${await token(key, { iat: nowSec + 301 })}`, opts), refused('IES_ERR_TOKEN_INVALID', /301 s ahead/));
  await assert.rejects(authenticateRead(registry, `Bearer ${await token(key, { iat: nowSec + 61 })}`, { ...opts, maxSkewSeconds: 60 }), refused('IES_ERR_TOKEN_INVALID', /at most 60 s/));
  await assert.rejects(authenticateRead(registry, `Bearer ${await token(key, { iat: null })}`, opts), refused('IES_ERR_TOKEN_INVALID', /iat/));
  // A client clock a little ahead (within the window) and an iat in the past are fine.
  for (const iat of [nowSec + 300, nowSec + 10, nowSec - 100]) assert.equal((await authenticateRead(registry, `Bearer ${await token(key, { iat })}`, opts)).participantId, 'AGG-1');
  // Without a window from the caller, the configured default applies.
  await assert.rejects(authenticateRead(registry, `Bearer ${await token(key, { iat: yearAhead })}`, { audience: 'node-1', nowMs: NOW }), refused('IES_ERR_TOKEN_INVALID', /at most 300 s/));
});

test('a PEER_DISCOM token is refused unless the route admits it (its own disputes)', async () => {
  const registry = new RegistryState();
  const peer = await generateSigningKey('EdDSA');
  registry.apply({ kind: 'PARTICIPANT', id: 'TPDDL-DL', discomId: 'BRPL-DL', updatedAt: 1, participant: { role: 'PEER_DISCOM', name: 'peer', halfHourProfiles: 'REJECT' }, key: null, meter: null });
  registry.apply({ kind: 'KEY', id: peer.kid, discomId: 'BRPL-DL', updatedAt: 1, participant: null, meter: null, key: { participantId: 'TPDDL-DL', jwk: JSON.stringify(peer.publicJwk), status: 'ACTIVE' } });
  const bearer = `Bearer ${await token(peer, { iss: 'TPDDL-DL' })}`;
  await assert.rejects(authenticateRead(registry, bearer, { audience: 'node-1', nowMs: NOW }), refused('IES_ERR_ROLE_FORBIDDEN', /PEER_DISCOM of BRPL-DL/));
  await assert.rejects(authenticateRead(registry, bearer, { audience: 'node-1', nowMs: NOW, admitPeerDiscom: false }), refused('IES_ERR_ROLE_FORBIDDEN'));
  assert.deepEqual(await authenticateRead(registry, bearer, { audience: 'node-1', nowMs: NOW, admitPeerDiscom: true }), { discomId: 'BRPL-DL', participantId: 'TPDDL-DL', kid: peer.kid });
});
