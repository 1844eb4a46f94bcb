import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { SettlementError } from './codes.js';
import { policyReference, selectPolicy, validatePolicyPack, type PolicyPack } from './policy-pack.js';
import { POLICIES, loadPolicy } from './test-support.test.js';

test('every pack under policies/ is valid and named <discomId>.v<version>.json', () => {
  const files = readdirSync(POLICIES).filter((f) => f.endsWith('.json')).sort();
  assert.ok(files.length >= 3 && ['BRPL-DL.v1.json', 'EXAMPLE-DISCOM.v1.json', 'TPDDL-DL.v1.json'].every((f) => files.includes(f)), files.join(', '));
  for (const f of files) {
    const p = loadPolicy(f);
    assert.equal(f, `${p.discomId}.v${p.version}.json`);
  }
  // The Delhi pilot: Rs 0.42/kWh shared equally, no wheeling.
  const brpl = loadPolicy('BRPL-DL.v1.json');
  assert.equal(brpl.p2p.transactionCharge.buyerPaisePerKwh + brpl.p2p.transactionCharge.sellerPaisePerKwh, 42);
  assert.deepEqual(brpl.p2p.wheeling, { buyerPaisePerKwh: 0, sellerPaisePerKwh: 0 });
});

test('the demo DISCOMs\' shipped packs carry a settlement calendar and dispute terms', () => {
  for (const f of ['DEMO-DL.v1.json', 'PEER-DL.v1.json']) {
    const p = loadPolicy(f);
    assert.ok(validatePolicyPack(p).ok, f);
    assert.deepEqual(p.calendar?.runs.map((r) => [r.name, r.cutoffMinutesAfterDayEnd, r.missingData]), [['INITIAL', 1440, 'ZERO_PENDING'], ['R1', 7200, 'ZERO_PENDING'], ['FINAL', 43200, 'EXCLUDE_TRADE']], f);
    assert.deepEqual(Object.keys(p.disputes?.types ?? {}), ['READ_VALUE', 'NO_READ', 'CHARGE'], f);
  }
});

test('an invalid pack reports every problem with its path', () => {
  const r = validatePolicyPack({
    policyId: '',
    discomId: 'BRPL-DL',
    version: 0,
    effectiveFrom: '2026-02-30',
    p2p: {
      wheeling: { buyerPaisePerKwh: 1.5, sellerPaisePerkwh: 0 },
      transactionCharge: { buyerPaisePerKwh: 21, sellerPaisePerKwh: -1 },
      sellerShortfall: { treatment: 'DSM' },
      buyerShortfall: { treatment: 'REFERENCE_RATE', multiplierPercent: 5000 },
    },
  });
  assert.deepEqual(!r.ok && r.problems.map((p) => p.path), [
    '$.policyId', '$.version', '$.effectiveFrom',
    '$.p2p.wheeling.sellerPaisePerkwh', '$.p2p.wheeling.buyerPaisePerKwh', '$.p2p.wheeling.sellerPaisePerKwh',
    '$.p2p.transactionCharge.sellerPaisePerKwh',
    '$.p2p.sellerShortfall.treatment', '$.p2p.buyerShortfall.multiplierPercent',
  ]);
  assert.ok(!r.ok && r.problems.every((p) => p.code === 'IES_ERR_POLICY_PACK_INVALID'));
  assert.equal(validatePolicyPack('x').ok, false);
});

test('selectPolicy: the latest pack effective on the day, highest version first', () => {
  const v1 = loadPolicy('BRPL-DL.v1.json');
  const v2 = { ...v1, version: 2, effectiveFrom: '2026-08-11' };
  const v3 = { ...v1, version: 3, effectiveFrom: '2026-08-11' };
  assert.equal(selectPolicy([v3, v1, v2], 'BRPL-DL', '2026-04-26').version, 1);
  assert.equal(selectPolicy([v1, v2, v3], 'BRPL-DL', '2026-08-11').version, 3);
  assert.throws(() => selectPolicy([v1], 'BRPL-DL', '2026-01-01'), (e: unknown) => e instanceof SettlementError && e.code === 'IES_ERR_POLICY_NOT_EFFECTIVE');
  assert.throws(() => selectPolicy([v1], 'TPDDL-DL', '2026-04-26'), /no policy pack of TPDDL-DL is effective on 2026-04-26/);
});

test('a pack is cited by id, version and the hash of its canonical JSON (member order irrelevant)', () => {
  const p = loadPolicy('TPDDL-DL.v1.json');
  const reordered = Object.fromEntries(Object.entries(p).reverse()) as unknown as PolicyPack;
  assert.deepEqual(policyReference(reordered), policyReference(p));
  assert.match(policyReference(p).sha256, /^[0-9a-f]{64}$/);
});
