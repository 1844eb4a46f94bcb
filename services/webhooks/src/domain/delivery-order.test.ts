import { test } from 'node:test';
import assert from 'node:assert/strict';
import { orderDecision } from './delivery-order.js';

test('only the next number of an event is delivered', () => {
  assert.equal(orderDecision(1, 0), 'deliver');
  assert.equal(orderDecision(5, 4), 'deliver');
  assert.equal(orderDecision(2, 0), 'hold');
  assert.equal(orderDecision(9, 4), 'hold');
  assert.equal(orderDecision(4, 4), 'settled');
  assert.equal(orderDecision(1, 4), 'settled');
});
