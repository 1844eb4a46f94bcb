import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { test } from 'node:test';
import { CompactSign, calculateJwkThumbprint, exportJWK, type JWK } from 'jose';
import { canonicalJsonBytes } from '@ies/crypto';
import { STATEMENT_SCHEMA, STATEMENT_TYP, statementId, type StatementContent } from '@ies/verify';
import { checkAcked } from './ack-invariant.js';
import { checkStatements, contentShaWithoutEvidence, referenceOf } from './statement-invariant.js';

const D = 'AU-DL';
const scope = { kind: 'DAY' as const, day: '2026-11-21' };
const ORIGIN = `ies.test/${D}`;

function content(evidence: StatementContent['evidence'], netPaise = 0): StatementContent {
  return {
    schema: STATEMENT_SCHEMA, id: statementId(D, scope, 0), discomId: D, scope, version: 0, revises: null,
    policy: { policyId: 'p2p', version: 1, sha256: 'ab'.repeat(32) }, complete: true, lines: [], netPositions: [], interDiscomPositions: [],
    totals: { receivablePaise: 0, payablePaise: 0, netPaise }, excluded: [], pending: [], evidence,
  };
}

async function settlementKey() {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  const jwk = await exportJWK(publicKey);
  const kid = await calculateJwkThumbprint(jwk);
  const sign = (c: StatementContent) => new CompactSign(canonicalJsonBytes(c)).setProtectedHeader({ alg: 'EdDSA', kid, typ: STATEMENT_TYP }).sign(privateKey);
  return { jwks: [{ ...jwk, kid, 'ies:role': 'SETTLEMENT' } as JWK], sign };
}

test('a statement is compared without its evidence: two runs whose logs differ have one reference hash', () => {
  const a = content([{ origin: ORIGIN, size: 3, rootHash: 'A'.repeat(43) + '=' }]);
  const b = content([{ origin: ORIGIN, size: 4, rootHash: 'B'.repeat(43) + '=' }]);
  assert.equal(contentShaWithoutEvidence(a), contentShaWithoutEvidence(b));
  assert.notEqual(contentShaWithoutEvidence(a), contentShaWithoutEvidence({ ...a, complete: false }));
  assert.deepEqual(referenceOf([a]), { [a.id]: contentShaWithoutEvidence(a) });
});

test('statements: signed, evidence in the log and equal to the reference hold; each departure fails by statement id', async () => {
  const key = await settlementKey();
  const held = { origin: ORIGIN, size: 2, rootHash: 'A'.repeat(43) + '=' };
  const doc = { statementId: statementId(D, scope, 0), jws: await key.sign(content([held])) };
  const evidenceHeld = (ref: { origin: string; size: number; rootHash: string }) => (ref.origin === ORIGIN ? ref.size === 2 && ref.rootHash === held.rootHash : undefined);
  const reference = referenceOf([doc]);
  assert.deepEqual((await checkStatements({ statements: [doc], jwks: key.jwks, reference, evidenceHeld })).failures, []);

  const forkedEvidence = { statementId: doc.statementId, jws: await key.sign(content([{ ...held, size: 5 }])) };
  const other = await settlementKey();
  const checks = await Promise.all([
    checkStatements({ statements: [forkedEvidence], jwks: key.jwks, reference, evidenceHeld }),
    checkStatements({ statements: [doc], jwks: other.jwks, reference, evidenceHeld }),
    checkStatements({ statements: [doc], jwks: key.jwks, reference: { [doc.statementId]: 'f'.repeat(64) }, evidenceHeld }),
    checkStatements({ statements: [], jwks: key.jwks, reference, evidenceHeld }),
  ]);
  assert.match(checks[0]!.failures[0]!.problem, /evidence checkpoint .* size 5 .* is not in the log rebuilt from receipts\.v1/);
  assert.match(checks[1]!.failures[0]!.problem, /^UNKNOWN_KEY/);
  assert.match(checks[2]!.failures[0]!.problem, /content without evidence hashes to [0-9a-f]{64}, the reference run to f{64}/);
  assert.deepEqual(checks[3]!.failures, [{ record: `statement ${doc.statementId}`, problem: 'in the reference run but not issued in this one' }]);
});

test('acked DR events and trades: in topic and store holds; missing, unstored and forked lifecycles fail', () => {
  const t = (id: string, version: number, state: string, offset: number) => ({ position: `topic/0/${offset}`, id, discomId: D, version, state, at: 1 });
  const sources = {
    'dr-event': { records: [t('E1', 1, 'DRAFT', 0), t('E1', 1, 'DRAFT', 1), t('E1', 2, 'ACTIVE', 2), t('E1', 2, 'CANCELLED', 3)], firstVersion: 1, stored: new Map([['E1', true]]) },
    'p2p-trade': { records: [t('T1', 0, 'CONFIRMED', 0)], firstVersion: 0, stored: new Map([['T1', false]]) },
  };
  const r = checkAcked([{ kind: 'dr-event', id: 'E1', at: 0 }, { kind: 'dr-event', id: 'E2', at: 0 }, { kind: 'p2p-trade', id: 'T1', at: 0 }], sources);
  assert.deepEqual(r.failures.map((f) => `${f.record}: ${f.problem.split(' (')[0]}`), [
    'dr-event E1 version 2: dr-events.v1 has 2 different records for one version',
    'dr-event E2: acked at 1970-01-01T00:00:00.000Z but its first transition is not on dr-events.v1',
    'dr-event E2: acked but not in its store',
    'p2p-trade T1: acked but not in its store',
  ]);
});
