import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EventLoopTurns } from './turns.js';

test('the event loop turns once everyMs has passed since the last turn, and not before', async () => {
  let now = 0;
  const turns = new EventLoopTurns(10, () => now);
  let ran = 0;
  setImmediate(() => (ran += 1));
  now = 9.9;
  await turns.maybeTurn();
  assert.equal(ran, 0, 'an I/O-phase callback waits while the caller has run for less than 10 ms');
  now = 10;
  await turns.maybeTurn();
  assert.equal(ran, 1, 'after 10 ms the caller lets it run');
  setImmediate(() => (ran += 1));
  now = 19;
  await turns.maybeTurn();
  assert.equal(ran, 1, 'the 10 ms count again from the last turn');
  now = 20;
  await turns.maybeTurn();
  assert.equal(ran, 2);
});

test('a handler that awaits only settled promises lets a timer fire while it runs long', async () => {
  const turns = new EventLoopTurns(5);
  let fired = false;
  const timer = setTimeout(() => (fired = true), 1);
  const until = performance.now() + 50;
  // Busy work awaiting settled promises, as the loader's handler awaits its decoders.
  while (performance.now() < until && !fired) {
    await Promise.resolve();
    await turns.maybeTurn();
  }
  clearTimeout(timer);
  assert.ok(fired, 'the timer fired inside the loop');
});
