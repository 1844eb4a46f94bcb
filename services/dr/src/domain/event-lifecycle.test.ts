import { test } from 'node:test';
import assert from 'node:assert/strict';
import { IesError } from '@ies/errors';
import { canTransition, DR_EVENT_STATES, InvalidTransitionError, isTerminal, transition, VALID_TRANSITIONS } from './event-lifecycle.js';

test('the happy path DRAFT → ACTIVE → BASELINED → MEASURED → SETTLED is allowed', () => {
  let state = transition('DRAFT', 'ACTIVE');
  state = transition(state, 'BASELINED');
  state = transition(state, 'MEASURED');
  state = transition(state, 'SETTLED');
  assert.equal(state, 'SETTLED');
  assert.ok(isTerminal('SETTLED') && isTerminal('CANCELLED'));
});

test('cancel is possible until the event is measured, never after', () => {
  for (const from of ['DRAFT', 'ACTIVE', 'BASELINED'] as const) assert.ok(canTransition(from, 'CANCELLED'), from);
  for (const from of ['MEASURED', 'SETTLED', 'CANCELLED'] as const) assert.ok(!canTransition(from, 'CANCELLED'), from);
});

test('every transition not in VALID_TRANSITIONS is refused with a typed error naming what is allowed', () => {
  for (const from of DR_EVENT_STATES) {
    for (const to of DR_EVENT_STATES) {
      if (VALID_TRANSITIONS[from].includes(to)) continue;
      assert.throws(() => transition(from, to, 'evt-1'), (err: unknown) => {
        assert.ok(err instanceof InvalidTransitionError && err instanceof IesError);
        assert.equal(err.from, from);
        assert.equal(err.to, to);
        assert.equal((err as IesError).code, 'IES_ERR_DR_TRANSITION_INVALID');
        return true;
      });
    }
  }
  assert.throws(() => transition('ACTIVE', 'SETTLED', 'evt-7'), /DR event evt-7 cannot go from ACTIVE to SETTLED: from ACTIVE only BASELINED or CANCELLED/);
  assert.throws(() => transition('SETTLED', 'DRAFT'), /SETTLED is final/);
  assert.throws(() => transition('DRAFT', 'PAUSED'), InvalidTransitionError);
});
