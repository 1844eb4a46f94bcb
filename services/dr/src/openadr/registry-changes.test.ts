import { test } from 'node:test';
import assert from 'node:assert/strict';
import { callbacksFor } from './object-change.js';
import { toResource, toVen } from './projection.js';
import { differences, fingerprint, storedForm, type Seen } from './registry-changes.js';
import { openAdrValidator } from './spec-validator.js';

const spec = openAdrValidator();
const entry = (type: 'VEN' | 'RESOURCE', object: Record<string, unknown>) => ({ type, object, fingerprint: fingerprint(object) });
const m1 = entry('RESOURCE', toResource('BRPL-DL', 'AGG-1', 'M-1', ['PEAK']));
const m2 = entry('RESOURCE', toResource('BRPL-DL', 'AGG-1', 'M-2', ['PEAK']));
const ven = entry('VEN', toVen('BRPL-DL', 'AGG-1', 'One'));
const renamed = entry('VEN', toVen('BRPL-DL', 'AGG-1', 'One, renamed'));
const key = (e: { type: string; object: Record<string, unknown> }) => `${e.type}:${e.object.id as string}`;
const stored = (...es: (typeof m1)[]) => Object.fromEntries(es.map((e) => [key(e), storedForm(e)]));
const seen = (...es: (typeof m1)[]): Seen => new Map(es.map((e) => [key(e), e]));

test('a viewer is told what appeared (CREATE), changed (UPDATE) and went (DELETE, with the object as last seen), and nothing when nothing changed', () => {
  const agg1 = { participantId: 'AGG-1', bl: false };
  const changes = differences('BRPL-DL', agg1, stored(m1, ven), seen(m2, renamed));
  assert.deepEqual(changes.map((c) => [c.objectType, c.seenBy(agg1)?.operation, c.seenBy(agg1)?.object.resourceName ?? c.seenBy(agg1)?.object.venName]), [
    ['RESOURCE', 'CREATE', 'M-2'], ['VEN', 'UPDATE', 'AGG-1'], ['RESOURCE', 'DELETE', 'M-1'],
  ]);
  assert.deepEqual(differences('BRPL-DL', agg1, stored(m1, ven), seen(m1, ven)), []);
  // Only that viewer: another aggregator and the BL see nothing of AGG-1's view change.
  const c = changes[0]!;
  assert.equal(c.seenBy({ participantId: 'AGG-2', bl: false }), null);
  assert.equal(c.seenBy({ participantId: 'DESK', bl: true }), null);
  const blChange = differences('BRPL-DL', { participantId: '', bl: true }, {}, seen(m2))[0]!;
  assert.equal(blChange.seenBy({ participantId: 'DESK', bl: true })?.operation, 'CREATE', 'the BL’s view, whoever the BL participant is');
  assert.equal(blChange.seenBy({ participantId: 'AGG-1', bl: false }), null);
  // The same difference found twice (a sweep that crashed before recording it) is one delivery.
  const again = differences('BRPL-DL', agg1, stored(m1, ven), seen(m2, renamed));
  const sub = { object: { id: 's-1', clientID: 'BRPL-DL/AGG-1', createdDateTime: '', modificationDateTime: '', objectOperations: [{ objects: ['RESOURCE', 'VEN'], operations: ['CREATE', 'UPDATE', 'DELETE'], callbackUrl: 'https://x.example/', bearerToken: null }] }, ownerRole: 'AGGREGATOR' };
  assert.deepEqual(changes.flatMap((x) => callbacksFor(x, [sub])).map((d) => d.deliveryId), again.flatMap((x) => callbacksFor(x, [sub])).map((d) => d.deliveryId));
  for (const d of changes.flatMap((x) => callbacksFor(x, [sub]))) assert.equal(spec.check('notification', d.body), null);
});
