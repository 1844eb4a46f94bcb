import { test } from 'node:test';
import assert from 'node:assert/strict';
import { defineLifecycle } from './lifecycle.js';

class Refused extends Error {
  constructor(readonly from: string, readonly to: string, readonly subject: string | undefined) {
    super(`${subject ?? 'thing'} cannot go from ${from} to ${to}`);
  }
}

const light = defineLifecycle<'OFF' | 'ON' | 'BROKEN'>({ OFF: ['ON', 'BROKEN'], ON: ['OFF', 'BROKEN'], BROKEN: [] }, (from, to, subject) => new Refused(from, to, subject));

test('moves in the table are allowed, every other one is refused with the lifecycle’s error', () => {
  assert.deepEqual(light.states, ['OFF', 'ON', 'BROKEN']);
  assert.equal(light.can('OFF', 'ON'), true);
  assert.equal(light.can('BROKEN', 'ON'), false);
  assert.equal(light.assert('ON', 'OFF'), 'OFF');
  assert.throws(() => light.assert('BROKEN', 'ON', 'lamp 7'), (e: unknown) => e instanceof Refused && e.from === 'BROKEN' && e.to === 'ON' && e.message === 'lamp 7 cannot go from BROKEN to ON');
  assert.throws(() => light.assert('OFF', 'DIMMED'), Refused);
});

test('final states, state checks and a frozen table', () => {
  assert.equal(light.isFinal('BROKEN'), true);
  assert.equal(light.isFinal('ON'), false);
  assert.equal(light.isState('ON'), true);
  assert.equal(light.isState('on'), false);
  assert.ok(Object.isFrozen(light.transitions) && Object.isFrozen(light.transitions.OFF));
});

test('a table naming an unknown state is refused when defined', () => {
  assert.throws(() => defineLifecycle<'A'>({ A: ['B' as 'A'] }, () => new Error('no')), /A → B names no state/);
});
