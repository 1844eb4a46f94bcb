// A kid belongs to one participant of a tenant; only a peer DISCOM's settlement key may be
// registered with several tenants (as the PEER_DISCOM of each, the same JWK), and each
// registration is found, revoked and listed for its own tenant.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { RegistryEntry } from './model.js';
import { keyRegistrationConflict, RegistryState } from './state.js';

const JWK = { kty: 'OKP', crv: 'Ed25519', x: '11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo' };
const OTHER = { kty: 'OKP', crv: 'Ed25519', x: 'fFmG7xf4Y1tBFYFWr9Q7B6u7R1ldvMzXQYcc3g1DFXo' };
const participant = (discomId: string, id: string, role: string): RegistryEntry => ({ kind: 'PARTICIPANT', id, discomId, updatedAt: 1, participant: { role: role as 'DISCOM', name: id, halfHourProfiles: 'REJECT' }, key: null, meter: null });
const key = (discomId: string, participantId: string, jwk: object = JWK, status: 'ACTIVE' | 'REVOKED' = 'ACTIVE', updatedAt = 1): RegistryEntry => ({ kind: 'KEY', id: 'kid-x', discomId, updatedAt, participant: null, meter: null, key: { participantId, jwk: JSON.stringify(jwk), status } });

function registryWithPeerIn(discomId: string): RegistryState {
  const r = new RegistryState();
  r.apply(participant(discomId, 'TPDDL-DL', 'PEER_DISCOM'));
  r.apply(key(discomId, 'TPDDL-DL'));
  return r;
}

test('the same peer DISCOM\'s same key may be registered with another tenant as its PEER_DISCOM, and nothing else may', () => {
  const r = registryWithPeerIn('BRPL-DL');
  assert.equal(keyRegistrationConflict(r, [participant('BYPL-DL', 'TPDDL-DL', 'PEER_DISCOM'), key('BYPL-DL', 'TPDDL-DL')]), undefined);
  // Its role from the registry when the document does not give it.
  r.apply(participant('BYPL-DL', 'TPDDL-DL', 'PEER_DISCOM'));
  assert.equal(keyRegistrationConflict(r, [key('BYPL-DL', 'TPDDL-DL')]), undefined);
  const refused = [
    ['another role', [participant('BSES-DL', 'TPDDL-DL', 'PLATFORM'), key('BSES-DL', 'TPDDL-DL')]],
    ['another participant', [participant('BSES-DL', 'NDPL-DL', 'PEER_DISCOM'), key('BSES-DL', 'NDPL-DL')]],
    ['another JWK under the kid', [participant('BSES-DL', 'TPDDL-DL', 'PEER_DISCOM'), key('BSES-DL', 'TPDDL-DL', OTHER)]],
    ['an unregistered participant', [key('BSES-DL', 'TPDDL-DL')]],
    ['another participant of the same tenant', [participant('BRPL-DL', 'DESK', 'DISCOM'), key('BRPL-DL', 'DESK')]],
  ] as const;
  for (const [what, entries] of refused) assert.match(keyRegistrationConflict(r, entries) ?? 'accepted', /already registered to TPDDL-DL of BRPL-DL/, what);
  // The holder itself re-registering (a rotation document listing the key again): fine.
  assert.equal(keyRegistrationConflict(r, [key('BRPL-DL', 'TPDDL-DL', JWK, 'REVOKED', 2)]), undefined);
});

test('a shared kid is found for its tenant; without one only when a single tenant holds it; revoked per tenant', () => {
  const r = registryWithPeerIn('BRPL-DL');
  assert.equal(r.key('kid-x')?.discomId, 'BRPL-DL');
  r.apply(participant('BYPL-DL', 'TPDDL-DL', 'PEER_DISCOM'));
  r.apply(key('BYPL-DL', 'TPDDL-DL'));
  assert.equal(r.key('kid-x'), undefined, 'ambiguous without a tenant');
  assert.deepEqual(r.keyHolders('kid-x').map((k) => k.discomId), ['BRPL-DL', 'BYPL-DL']);
  r.apply(key('BYPL-DL', 'TPDDL-DL', JWK, 'REVOKED', 2));
  assert.deepEqual([r.key('kid-x', 'BRPL-DL')?.status, r.key('kid-x', 'BYPL-DL')?.status, r.key('kid-x', 'BSES-DL')], ['ACTIVE', 'REVOKED', undefined]);
  assert.deepEqual([r.jwks('BRPL-DL').keys.map((k) => k.status), r.jwks('BYPL-DL').keys.map((k) => k.status)], [['ACTIVE'], ['REVOKED']]);
  assert.equal(r.size.keys, 2);
});
