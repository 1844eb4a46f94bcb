import { test } from 'node:test';
import assert from 'node:assert/strict';
import { IesError } from '@ies/errors';
import { parseRegistryDocument } from './model.js';
import { RegistryState } from './state.js';
import { ingestContextFor } from './verify-batch.js';

const X = '11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo';
const doc = (extra = '') => `
discom: BRPL-DL
participants:
  - id: HES-01
    role: HEADEND
    name: North head-end
    halfHourProfiles: SPLIT_EVEN
    keys:
      - { kty: OKP, crv: Ed25519, x: ${X}, kid: k1 }
meters:
  - { id: MTR-1, scheme: METER_SERIAL, headEnd: HES-01, sanctionedLoadW: 5000, derCapacityW: 3000 }
${extra}`;

test('a registry document becomes participant, key and meter entries', () => {
  const entries = parseRegistryDocument(doc(), 1000);
  assert.deepEqual(entries.map((e) => `${e.kind}:${e.id}`), ['PARTICIPANT:HES-01', 'KEY:k1', 'METER:MTR-1']);
  const key = entries[1]?.key;
  assert.equal(key?.status, 'ACTIVE');
  assert.deepEqual(JSON.parse(key?.jwk ?? '{}'), { kty: 'OKP', crv: 'Ed25519', x: X, kid: 'k1', alg: 'EdDSA', use: 'sig' });
  assert.equal(entries[0]?.participant?.halfHourProfiles, 'SPLIT_EVEN');
});

test('every problem is reported with its path, and private keys are refused', () => {
  const bad = `
discom: brpl
participants:
  - id: ""
    role: WIZARD
    keys:
      - { kty: OKP, crv: Ed25519, x: ${X}, d: secret, kid: k1 }
      - { kty: RSA, n: abc, e: AQAB, kid: k2 }
meters:
  - { id: M1, scheme: serial, sanctionedLoadW: -5 }
`;
  assert.throws(() => parseRegistryDocument(bad, 1), (err: unknown) => {
    assert.ok(err instanceof IesError);
    assert.equal(err.code, 'IES_ERR_REGISTRY_INVALID');
    const problems = (err.details?.problems ?? []) as string[];
    for (const needle of ['discom "brpl"', 'participants[0].id', 'participants[0].role "WIZARD"', 'participants[0].keys[0] contains a private key part', 'participants[0].keys[1] must be an Ed25519', 'meters[0].scheme "serial"', 'meters[0].sanctionedLoadW -5']) {
      assert.ok(problems.some((p) => p.includes(needle)), `missing problem: ${needle}\n${problems.join('\n')}`);
    }
    assert.ok(!JSON.stringify(err.details).includes('secret'));
    return true;
  });
});

test('state: later versions win, revocation applies, meters are per DISCOM', () => {
  const state = new RegistryState();
  for (const e of parseRegistryDocument(doc(), 1000)) state.apply(e);
  assert.equal(state.key('k1')?.status, 'ACTIVE');
  const revoked = parseRegistryDocument(doc().replace(`kid: k1 }`, `kid: k1, status: REVOKED }`), 2000);
  for (const e of revoked) state.apply(e);
  assert.equal(state.key('k1')?.status, 'REVOKED');
  for (const e of parseRegistryDocument(doc(), 1500)) state.apply(e); // an older replay does not un-revoke
  assert.equal(state.key('k1')?.status, 'REVOKED');

  const other = parseRegistryDocument(doc().replace('BRPL-DL', 'TPDDL-DL').replace('kid: k1', 'kid: k9'), 3000);
  for (const e of other) state.apply(e);
  assert.equal(state.meter('BRPL-DL', 'MTR-1')?.discomId, 'BRPL-DL');
  assert.equal(state.meter('TPDDL-DL', 'MTR-1')?.discomId, 'TPDDL-DL');
  assert.equal(state.meter('PVVNL', 'MTR-1')?.discomId !== 'PVVNL', true, 'a meter of another DISCOM is visible as foreign');
  assert.equal(state.meter('BRPL-DL', 'NOPE'), undefined);
  assert.deepEqual(state.jwks('BRPL-DL').keys.map((k) => [k.kid, k.status]), [['k1', 'REVOKED']]);
});

test('enrolments: one entry per meter and programme, with the aggregator and status; bad ones are reported', async () => {
  const { RegistryState } = await import('./state.js');
  const entries = parseRegistryDocument('discom: BRPL-DL\nenrolments:\n  - { aggregator: AGG-1, programme: PEAK-26, meters: [M-1, M-2] }\n  - { aggregator: AGG-2, programme: PEAK-26, meters: [M-3], status: ENDED }\n', 5);
  assert.deepEqual(entries.map((e) => e.id), ['PEAK-26:M-1', 'PEAK-26:M-2', 'PEAK-26:M-3']);
  const state = new RegistryState();
  for (const e of entries) state.apply(e);
  assert.equal(state.enrolment('BRPL-DL', 'PEAK-26', 'M-1')?.aggregatorId, 'AGG-1');
  assert.equal(state.enrolment('BRPL-DL', 'PEAK-26', 'M-3')?.status, 'ENDED');
  assert.equal(state.enrolment('OTHER-DL', 'PEAK-26', 'M-1'), undefined);
  assert.deepEqual(state.enrolledMeters('BRPL-DL', 'PEAK-26', 'AGG-1'), ['M-1', 'M-2']);
  assert.throws(() => parseRegistryDocument('discom: BRPL-DL\nenrolments:\n  - { aggregator: AGG-1, programme: "A:B", meters: "M-1", status: MAYBE }\n', 5), /must not contain ':'.*must be ACTIVE or ENDED.*meters must be a list|must not contain ':'/s);
});

test('trading consents: a meter enrolled with a P2P platform, withdrawn by a later document', () => {
  const state = new RegistryState();
  for (const e of parseRegistryDocument(doc('tradingConsents:\n  - { platform: PLAT-1, meters: [MTR-1] }\n'), 1000)) state.apply(e);
  assert.deepEqual(state.tradingConsent('BRPL-DL', 'PLAT-1', 'MTR-1'), { discomId: 'BRPL-DL', meterId: 'MTR-1', platformId: 'PLAT-1', status: 'ACTIVE' });
  assert.equal(state.tradingConsent('BRPL-DL', 'PLAT-2', 'MTR-1'), undefined);
  assert.equal(state.tradingConsent('TPDDL-DL', 'PLAT-1', 'MTR-1'), undefined, 'consent is per DISCOM');
  for (const e of parseRegistryDocument(doc('tradingConsents:\n  - { platform: PLAT-1, meters: [MTR-1], status: ENDED }\n'), 2000)) state.apply(e);
  assert.equal(state.tradingConsent('BRPL-DL', 'PLAT-1', 'MTR-1')?.status, 'ENDED');
  assert.throws(() => parseRegistryDocument(doc('tradingConsents:\n  - { platform: "A:B", meters: [MTR-1], status: MAYBE }\n'), 1), (err: unknown) => err instanceof IesError && /platform "A:B" must not contain ':'/.test(err.message) && /status must be ACTIVE or ENDED/.test(err.message));
});

test('a PEER_DISCOM participant is named by the peer DISCOM id; AUDITOR is a role', () => {
  const peer = (id: string) => `discom: BRPL-DL\nparticipants:\n  - { id: ${id}, role: PEER_DISCOM, name: peer }\n  - { id: AUD-1, role: AUDITOR, name: auditor }\n`;
  assert.deepEqual(parseRegistryDocument(peer('TPDDL-DL'), 1).map((e) => e.participant?.role), ['PEER_DISCOM', 'AUDITOR']);
  assert.throws(() => parseRegistryDocument(peer('tpddl'), 1), (err: unknown) => err instanceof IesError && /PEER_DISCOM participant is named by the peer's DISCOM id/.test(err.message));
});

test('a document naming a key twice in one mapping is refused (YAML and JSON), not last-one-wins', () => {
  const twice = [
    doc().replace('  - { id: MTR-1, scheme: METER_SERIAL, headEnd: HES-01,', '  - { id: MTR-1, id: MTR-2, scheme: METER_SERIAL, headEnd: HES-01,'),
    `${doc()}discom: TPDDL-DL\n`,
    JSON.stringify({ discom: 'BRPL-DL', meters: [{ id: 'MTR-1', scheme: 'METER_SERIAL', sanctionedLoadW: 5000 }] }).replace('"sanctionedLoadW":5000', '"sanctionedLoadW":5000,"sanctionedLoadW":9000000'),
  ];
  for (const text of twice) {
    assert.throws(() => parseRegistryDocument(text, 1), (err: unknown) => err instanceof IesError && err.code === 'IES_ERR_DUPLICATE_KEY' && err.status === 400 && /twice/.test(err.message), text);
  }
});

test('participant, meter, aggregator and programme ids follow the one safe grammar', () => {
  const bad = `
discom: BRPL-DL
participants:
  - { id: "HES/01", role: HEADEND, name: slash }
  - { id: "..", role: HEADEND, name: dots }
meters:
  - { id: "MTR\\u202e1", scheme: METER_SERIAL, sanctionedLoadW: 5000 }
  - { id: "MTR\\u00001", scheme: METER_SERIAL, sanctionedLoadW: 5000 }
  - { id: "did:web:tpddl.delhi.gov.in:meters:001", scheme: DID, sanctionedLoadW: 5000 }
enrolments:
  - { aggregator: "AGG 1", programme: "PEAK/2026", meters: ["a..b"] }
`;
  assert.throws(() => parseRegistryDocument(bad, 1), (err: unknown) => {
    assert.ok(err instanceof IesError && err.code === 'IES_ERR_REGISTRY_INVALID');
    const problems = (err.details?.problems ?? []) as string[];
    for (const at of ['participants[0].id', 'participants[1].id', 'meters[0].id', 'meters[1].id', 'enrolments[0].aggregator', 'enrolments[0].programme', 'enrolments[0].meters[0]']) {
      assert.ok(problems.some((p) => p.startsWith(`${at} `) && p.includes('must be an id of 1 to 128 characters')), `missing ${at}\n${problems.join('\n')}`);
    }
    assert.ok(!problems.some((p) => p.startsWith('meters[2]')), problems.join('\n'));
    return true;
  });
});

test('enrolledWith follows enrolments as they move between aggregators, end and come back', () => {
  const state = new RegistryState();
  const apply = (yaml: string, at: number) => { for (const e of parseRegistryDocument(doc(yaml), at)) state.apply(e); };
  apply('enrolments:\n  - { aggregator: AGG-1, programme: P1, meters: [MTR-1] }\n  - { aggregator: AGG-1, programme: P2, meters: [MTR-1] }\n', 1);
  assert.ok(state.enrolledWith('BRPL-DL', 'AGG-1', 'MTR-1'));
  apply('enrolments:\n  - { aggregator: AGG-1, programme: P1, meters: [MTR-1], status: ENDED }\n', 2);
  assert.ok(state.enrolledWith('BRPL-DL', 'AGG-1', 'MTR-1'), 'still active in P2');
  apply('enrolments:\n  - { aggregator: AGG-2, programme: P2, meters: [MTR-1] }\n', 3);
  assert.ok(!state.enrolledWith('BRPL-DL', 'AGG-1', 'MTR-1'), 'moved to AGG-2 in P2, ended in P1');
  assert.ok(state.enrolledWith('BRPL-DL', 'AGG-2', 'MTR-1'));
  assert.ok(!state.enrolledWith('TPDDL-DL', 'AGG-2', 'MTR-1'));
});

test('a meter may carry its IS 15959 category, which the ingest context passes to the MeterData rules', () => {
  const doc = (category: string) => `
discom: BRPL-DL
meters:
  - { id: MTR-1, scheme: METER_SERIAL, sanctionedLoadW: 5000, meterCategory: ${category} }
  - { id: MTR-2, scheme: METER_SERIAL, sanctionedLoadW: 5000 }
`;
  const entries = parseRegistryDocument(doc('D2'), 1000);
  assert.equal(entries[0]?.meter?.meterCategory, 'D2');
  assert.ok(!('meterCategory' in (entries[1]?.meter ?? {})));
  const state = new RegistryState();
  for (const e of entries) state.apply(e);
  const ctx = ingestContextFor(state, 'BRPL-DL', 'HES-01', 0);
  assert.equal(ctx.meters('MTR-1')?.meterCategory, 'D2');
  assert.equal(ctx.meters('MTR-2')?.meterCategory, undefined);
  assert.throws(() => parseRegistryDocument(doc('E'), 1000), (err: unknown) => {
    assert.ok(err instanceof IesError);
    assert.match(err.message, /meters\[0\]\.meterCategory "E" must be one of A, B, C, D1, D2, D3, D4/);
    return true;
  });
});
