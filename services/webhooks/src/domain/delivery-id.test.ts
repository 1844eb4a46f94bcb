import { test } from 'node:test';
import assert from 'node:assert/strict';
import { deliveryId } from './delivery-id.js';

test('dr-events and dr-performance ids are topic|eventId|version', () => {
  assert.equal(deliveryId('ies.D.dr-events.v1', 'drEvents', { eventId: 'E-1', aggregatorId: 'A', version: 3 }), 'ies.D.dr-events.v1|E-1|3');
  assert.equal(deliveryId('ies.D.dr-performance.v1', 'drPerformance', { eventId: 'E-1', aggregatorId: 'A', version: 1 }), 'ies.D.dr-performance.v1|E-1|1');
});

test('baseline ids add the meter and use the event version', () => {
  assert.equal(deliveryId('ies.D.baselines.v1', 'baselines', { eventId: 'E-1', aggregatorId: 'A', eventVersion: 2, meterId: 'M-9' }), 'ies.D.baselines.v1|E-1|2|M-9');
});

test('separators and colons inside parts are encoded', () => {
  const id = deliveryId('ies.D.dr-events.v1', 'drEvents', { eventId: 'a:b|c', aggregatorId: 'A', version: 1 });
  assert.equal(id, 'ies.D.dr-events.v1|a%3Ab%7Cc|1');
  assert.ok(!id.includes(':'));
});

test('records without the identifying fields are refused with the missing field named', () => {
  assert.throws(() => deliveryId('t', 'drEvents', { eventId: 'E', aggregatorId: 'A' }), /no integer version/);
  assert.throws(() => deliveryId('t', 'baselines', { eventId: 'E', aggregatorId: 'A', eventVersion: 1 }), /no meterId/);
  assert.throws(() => deliveryId('t', 'drPerformance', { eventId: '', aggregatorId: 'A', version: 1 }), /no eventId/);
});
