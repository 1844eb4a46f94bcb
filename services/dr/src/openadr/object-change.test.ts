import { test } from 'node:test';
import assert from 'node:assert/strict';
import { normaliseDrEvent } from '../domain/event.js';
import { ist } from '../domain/test-support.js';
import type { DrEventRecord } from '../event-store.js';
import { loadPolicyRegistry } from '../policies.js';
import { eventChange, vtnReportChange } from './notifier.js';
import { callbacksFor, mqttMessagesFor, OBJECT_TYPES, type ObjectChange, type Operation, type Viewer } from './object-change.js';
import { maySubscribe, operationsTopics, venTopicRoot } from './mqtt-topics.js';
import { objectId } from './object-id.js';
import { toBaselineReport, toProgram, toResource, toVen } from './projection.js';
import { openAdrValidator } from './spec-validator.js';

const spec = openAdrValidator();
const start = ist('2026-04-01', '14:00');
const at = new Date(start).toISOString();
const event = normaliseDrEvent({ eventId: 'EV-9', programmeId: 'PEAK', aggregatorId: 'AGG-1', window: { start, end: start + 900_000 }, intervals: [{ requestedWh: 100, pricePaisePerKwh: 500, shortfallPenaltyPaisePerKwh: 200 }], participatingMeters: ['M-1'], methodology: 'deg-5of10@1' }, { policies: loadPolicyRegistry() });
const record: DrEventRecord = { eventId: 'EV-9', discomId: 'BRPL-DL', aggregatorId: 'AGG-1', programmeId: 'PEAK', state: 'BASELINED', version: 3, event, history: [{ state: 'DRAFT', version: 1, at: start - 9e6, by: 'AGG-1', reason: null }, { state: 'ACTIVE', version: 2, at: start - 8e6, by: 'AGG-1', reason: null }, { state: 'BASELINED', version: 3, at: start - 7e6, by: 'w', reason: null }] };

/** A change seen as `object` by the BL and by AGG-1 only. */
function ownedBy(objectType: ObjectChange['objectType'], object: Record<string, unknown>, operation: Operation = 'CREATE'): ObjectChange {
  return { discomId: 'BRPL-DL', objectType, objectId: object.id as string, changeId: 'c1', programID: objectId('program', 'PEAK'), vens: ['AGG-1'], seenBy: (v: Viewer) => (v.bl || v.participantId === 'AGG-1' ? { operation, object } : null) };
}

const subscriptionObject = { id: 's-1', createdDateTime: at, modificationDateTime: at, objectType: 'SUBSCRIPTION', clientID: 'BRPL-DL/AGG-1', clientName: 'ven', objectOperations: [{ objects: ['EVENT'], operations: ['CREATE'], callbackUrl: 'https://ven.example/cb', bearerToken: null }], targets: null };
const changes: ObjectChange[] = [
  ownedBy('PROGRAM', toProgram({ programmeId: 'PEAK', aggregators: ['AGG-1'], events: [record] }), 'UPDATE'),
  eventChange('BRPL-DL', { eventId: 'EV-9', aggregatorId: 'AGG-1', version: 3, state: 'BASELINED', previousState: 'ACTIVE' }, record),
  vtnReportChange('BRPL-DL', record, toBaselineReport(record, [{ meterId: 'M-1', intervalStart: at, baselineWh: 200, policy: 'deg-5of10@1' }], start)),
  ownedBy('SUBSCRIPTION', subscriptionObject, 'DELETE'),
  ownedBy('VEN', toVen('BRPL-DL', 'AGG-1', 'Aggregator one'), 'UPDATE'),
  ownedBy('RESOURCE', toResource('BRPL-DL', 'AGG-1', 'M-1', ['PEAK'])),
];

test('every object type: each callback and MQTT message is a spec notification', () => {
  assert.deepEqual(changes.map((c) => c.objectType), [...OBJECT_TYPES]);
  const all = { object: { ...subscriptionObject, id: 's-all', objectOperations: [{ objects: [...OBJECT_TYPES], operations: ['CREATE', 'UPDATE', 'DELETE'], callbackUrl: 'https://ven.example/all', bearerToken: 'tok' }] }, ownerRole: 'AGGREGATOR' };
  for (const change of changes) {
    const callbacks = callbacksFor(change, [all]);
    assert.equal(callbacks.length, 1, `${change.objectType}: one callback`);
    assert.equal(spec.check('notification', callbacks[0]!.body), null, `${change.objectType} callback: ${spec.check('notification', callbacks[0]!.body)}`);
    const messages = mqttMessagesFor(change);
    assert.ok(messages.length > 0, `${change.objectType}: published`);
    for (const m of messages) assert.equal(spec.check('notification', m.payload), null, `${change.objectType} on ${m.topic}`);
  }
});

test('a subscription is told only what its owner may see, in the operations and program it names', () => {
  const sub = (id: string, clientID: string, ownerRole: string, objects: string[], operations: string[], programID?: string) => ({ object: { ...subscriptionObject, id, clientID, ...(programID ? { programID } : {}), objectOperations: [{ objects, operations, callbackUrl: `https://x.example/${id}`, bearerToken: null }] }, ownerRole });
  const subs = [
    sub('mine', 'BRPL-DL/AGG-1', 'AGGREGATOR', ['RESOURCE'], ['POST']),
    sub('other', 'BRPL-DL/AGG-2', 'AGGREGATOR', ['RESOURCE'], ['CREATE']),
    sub('updates-only', 'BRPL-DL/AGG-1', 'AGGREGATOR', ['RESOURCE'], ['UPDATE']),
    sub('other-program', 'BRPL-DL/AGG-1', 'AGGREGATOR', ['RESOURCE'], ['CREATE'], 'OTHER'),
    sub('desk', 'BRPL-DL/DESK', 'DISCOM', ['RESOURCE', 'EVENT'], ['CREATE']),
    sub('platform', 'BRPL-DL/P2P', 'PLATFORM', ['RESOURCE'], ['CREATE']),
  ];
  assert.deepEqual(callbacksFor(changes[5]!, subs).map((c) => c.clientId), ['BRPL-DL/AGG-1', 'BRPL-DL/DESK'], 'the 3.0.1 name POST is CREATE; AGG-2 and a platform are never told');
});

test('MQTT topics: the BL’s tree and each VEN’s own; a VEN may subscribe only under its own', () => {
  const ev = mqttMessagesFor(changes[1]!).map((m) => m.topic);
  assert.deepEqual(ev, ['OpenADR/3.1.0/BRPL-DL/events/update', 'OpenADR/3.1.0/BRPL-DL/programs/PEAK/events/update', 'OpenADR/3.1.0/BRPL-DL/ven/AGG-1/events/update']);
  assert.deepEqual(mqttMessagesFor(changes[0]!).map((m) => m.topic), ['OpenADR/3.1.0/BRPL-DL/programs/update', 'OpenADR/3.1.0/BRPL-DL/programs/PEAK/update', 'OpenADR/3.1.0/BRPL-DL/ven/AGG-1/programs/update']);
  assert.deepEqual(mqttMessagesFor(changes[3]!).map((m) => m.topic), ['OpenADR/3.1.0/BRPL-DL/subscriptions/delete'], 'no VEN topic for subscriptions');
  const agg1 = { discomId: 'BRPL-DL', participantId: 'AGG-1', bl: false };
  const root = venTopicRoot('BRPL-DL', 'AGG-1');
  assert.ok(maySubscribe(agg1, `${root}/#`) && maySubscribe(agg1, operationsTopics(`${root}/events`, true).ALL as string));
  for (const f of ['#', 'OpenADR/#', 'OpenADR/3.1.0/BRPL-DL/#', 'OpenADR/3.1.0/BRPL-DL/ven/+/events/create', 'OpenADR/3.1.0/BRPL-DL/ven/AGG-2/#', 'OpenADR/3.1.0/+/ven/AGG-1/#', 'OpenADR/3.1.0/BRPL-DL/events/create', root]) {
    assert.equal(maySubscribe(agg1, f), false, f);
  }
  assert.ok(maySubscribe({ discomId: 'BRPL-DL', participantId: 'DESK', bl: true }, 'OpenADR/3.1.0/BRPL-DL/#'));
  assert.equal(maySubscribe({ discomId: 'BRPL-DL', participantId: 'DESK', bl: true }, 'OpenADR/3.1.0/TPDDL-DL/#'), false, 'another tenant');
  assert.equal(spec.check('notifierTopicsResponse', { topics: operationsTopics(root, false) }), null);
});
