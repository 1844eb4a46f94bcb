import { test } from 'node:test';
import assert from 'node:assert/strict';
import { rowOfDrEvent, type DrEventRecord } from './dr-events.js';

const transition: DrEventRecord = { eventId: 'E-1', discomId: 'BRPL-DL', aggregatorId: 'AGG-1', programmeId: 'P-1', version: 2, state: 'ACTIVE', previousState: 'DRAFT', at: Date.UTC(2026, 10, 21, 4), by: 'AGG-1', reason: null, event: '{}' };

test('the first delivery of a version ranks highest, so the table keeps it', () => {
  const first = rowOfDrEvent(transition, 'BRPL-DL', '7').row;
  const again = rowOfDrEvent(transition, 'BRPL-DL', '12').row;
  assert.equal(first?.deliveryRank, 2n ** 64n - 1n - 7n);
  assert.ok((first?.deliveryRank ?? 0n) > (again?.deliveryRank ?? 0n));
  assert.deepEqual([first?.previousState, first?.reason], ['DRAFT', null]);
});

test('version 0, a time outside DateTime and another tenant’s event are dead letters', () => {
  assert.equal(rowOfDrEvent({ ...transition, version: 0 }, 'BRPL-DL', '0').refused?.code, 'IES_ERR_DR_EVENT_INVALID');
  assert.equal(rowOfDrEvent({ ...transition, at: -1 }, 'BRPL-DL', '0').refused?.code, 'IES_ERR_DR_EVENT_INVALID');
  assert.equal(rowOfDrEvent(transition, 'TPDDL-DL', '0').refused?.code, 'IES_ERR_TENANT_FORBIDDEN');
});
