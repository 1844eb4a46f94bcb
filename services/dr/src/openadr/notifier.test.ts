import { test } from 'node:test';
import assert from 'node:assert/strict';
import { normaliseDrEvent } from '../domain/event.js';
import { ist } from '../domain/test-support.js';
import type { DrEventRecord } from '../event-store.js';
import { loadPolicyRegistry } from '../policies.js';
import { eventCallbacksFor as callbacksFor, operationFor } from './notifier.js';
import { openAdrValidator } from './spec-validator.js';

const start = ist('2026-04-01', '14:00');
const event = normaliseDrEvent({ eventId: 'EV-9', programmeId: 'PEAK', aggregatorId: 'AGG-1', window: { start, end: start + 900_000 }, intervals: [{ requestedWh: 100, pricePaisePerKwh: 500, shortfallPenaltyPaisePerKwh: 200 }], participatingMeters: ['M-1'], methodology: 'deg-5of10@1' }, { policies: loadPolicyRegistry() });
const record: DrEventRecord = { eventId: 'EV-9', discomId: 'BRPL-DL', aggregatorId: 'AGG-1', programmeId: 'PEAK', state: 'ACTIVE', version: 2, event, history: [{ state: 'DRAFT', version: 1, at: start - 9e6, by: 'AGG-1', reason: null }, { state: 'ACTIVE', version: 2, at: start - 8e6, by: 'AGG-1', reason: null }] };
const t = (state: string, previousState: string | null, version = 2) => ({ eventId: 'EV-9', aggregatorId: 'AGG-1', version, state, previousState });
const ven = { participantId: 'AGG-1', bl: false };
const bl = { participantId: 'DESK', bl: true };

test('a VEN is told CREATE on dispatch, UPDATE after, DELETE on a cancellation it had seen; the BL every transition', () => {
  assert.deepEqual(['DRAFT', 'ACTIVE', 'BASELINED', 'MEASURED'].map((s) => operationFor(t(s, null), ven)), [null, 'CREATE', 'UPDATE', 'UPDATE']);
  assert.equal(operationFor(t('CANCELLED', 'ACTIVE'), ven), 'DELETE');
  assert.equal(operationFor(t('CANCELLED', 'DRAFT'), ven), null, 'a VEN never saw a DRAFT');
  assert.equal(operationFor(t('ACTIVE', 'DRAFT'), { participantId: 'AGG-2', bl: false }), null, 'another aggregator’s event');
  assert.deepEqual(['DRAFT', 'ACTIVE', 'CANCELLED'].map((s) => operationFor(t(s, null), bl)), ['CREATE', 'UPDATE', 'UPDATE']);
});

test('callbacks: one per matching object operation (3.1 or 3.0.1 names), with the bearer token and a spec notification', () => {
  const at = new Date(start).toISOString();
  const sub = (id: string, clientID: string, ops: { objects: string[]; operations: string[] }[], programID?: string) => ({
    object: { id, clientID, createdDateTime: at, modificationDateTime: at, clientName: id, ...(programID ? { programID } : {}), objectOperations: ops.map((o, i) => ({ ...o, callbackUrl: `https://ven.example/${id}/${i}`, bearerToken: `tok-${id}` })) },
    ownerRole: clientID.endsWith('DESK') ? 'DISCOM' : 'AGGREGATOR',
  });
  const subs = [
    sub('s-1', 'BRPL-DL/AGG-1', [{ objects: ['EVENT'], operations: ['POST'] }, { objects: ['REPORT'], operations: ['CREATE'] }]),
    sub('s-2', 'BRPL-DL/AGG-2', [{ objects: ['EVENT'], operations: ['CREATE'] }]),
    sub('s-3', 'BRPL-DL/AGG-1', [{ objects: ['EVENT'], operations: ['CREATE'] }], 'OTHER'),
    sub('s-4', 'BRPL-DL/DESK', [{ objects: ['EVENT'], operations: ['UPDATE'] }]),
  ];
  const out = callbacksFor('BRPL-DL', t('ACTIVE', 'DRAFT'), record, subs);
  assert.deepEqual(out.map((c) => [c.clientId, c.url, c.bearerToken, c.body.operation]), [
    ['BRPL-DL/AGG-1', 'https://ven.example/s-1/0', 'tok-s-1', 'CREATE'],
    ['BRPL-DL/DESK', 'https://ven.example/s-4/0', 'tok-s-4', 'UPDATE'],
  ]);
  assert.equal(openAdrValidator().check('notification', out[0]!.body), null);
  const later = callbacksFor('BRPL-DL', t('BASELINED', 'ACTIVE', 3), record, subs);
  assert.deepEqual(later.map((c) => [c.clientId, c.body.operation]), [['BRPL-DL/DESK', 'UPDATE']], 'AGG-1 subscribed to creations only');
  assert.notEqual(later[0]!.deliveryId, out[1]!.deliveryId, 'each transition is its own message');
  assert.equal(later[0]!.orderKey, out[1]!.orderKey, 'ordered within one subscription and event');
});
