import { test } from 'node:test';
import assert from 'node:assert/strict';
import { IesError } from '@ies/errors';
import { loadPolicyPacks } from '../policies.js';
import { parsePolicyPack, policyRef, validatePolicyPack } from './policy-pack.js';
import { createPolicyRegistry } from './policy-registry.js';

const packs = loadPolicyPacks();

test('every shipped policy pack is valid, cites a source and explains its values', () => {
  assert.deepEqual(packs.map(policyRef).sort(), ['caiso-10in10@1', 'deg-5of10@1', 'ercot-middle8of10@1', 'meter-before-after@1', 'nyiso-average-day@1', 'pjm-high4of5@1']);
  for (const pack of packs) {
    assert.match(pack.source.url, /^https:\/\//);
    assert.ok(pack.notes.length > 0, `${policyRef(pack)} has no notes on where its values come from`);
    assert.ok(Object.isFrozen(pack.parameters));
  }
});

const valid = (): Record<string, unknown> => JSON.parse(JSON.stringify(packs.find((p) => p.id === 'caiso-10in10')));

test('a broken pack reports every problem with its JSON path', () => {
  const pack = valid();
  const params = pack['parameters'] as Record<string, unknown>;
  pack['version'] = 0;
  pack['extra'] = true;
  params['lookbackDays'] = 10;
  const groups = params['dayTypeGroups'] as Record<string, unknown>[];
  groups[0]!['candidateDays'] = 12; // > lookbackDays
  groups[1]!['dayTypes'] = ['SATURDAY', 'SUNDAY']; // HOLIDAY uncovered
  groups[1]!['selection'] = { rule: 'HIGHEST', count: 9 }; // > minCandidateDays 4
  params['adjustment'] = { type: 'MULTIPLICATIVE', windowStartOffsetMinutes: -250, windowEndOffsetMinutes: -60, minRatioPercent: 80 };
  const paths = validatePolicyPack(pack).map((p) => p.path);
  assert.deepEqual(paths, [
    '$.extra',
    '$.version',
    '$.parameters.dayTypeGroups[0].candidateDays',
    '$.parameters.dayTypeGroups[1].selection.count',
    '$.parameters.dayTypeGroups',
    '$.parameters.adjustment.windowStartOffsetMinutes',
    '$.parameters.adjustment.maxRatioPercent',
  ]);
  assert.throws(() => parsePolicyPack(pack), (err: unknown) => err instanceof IesError && err.code === 'IES_ERR_DR_POLICY_PACK_INVALID' && /\$\.extra: unknown member/.test(err.message));
});

test('selection bounds keep every accepted candidate set selectable', () => {
  const pack = valid();
  const group = ((pack['parameters'] as Record<string, unknown>)['dayTypeGroups'] as Record<string, unknown>[])[0]!;
  group['selection'] = { rule: 'MIDDLE', dropHighest: 5, dropLowest: 5 };
  assert.deepEqual(validatePolicyPack(pack).map((p) => p.message), ['dropHighest + dropLowest (10) must leave at least one of minCandidateDays (10)']);
});

test('the registry resolves id@version and names the loaded packs when one is unknown', () => {
  const registry = createPolicyRegistry(packs);
  assert.equal(registry.get('deg-5of10@1').id, 'deg-5of10');
  assert.throws(() => registry.get('deg-5of10@2'), (err: unknown) => err instanceof IesError && err.code === 'IES_ERR_DR_POLICY_UNKNOWN' && /loaded: caiso-10in10@1, deg-5of10@1/.test(err.message));
  assert.throws(() => createPolicyRegistry([...packs, packs[0]!]), /defined twice/);
});
