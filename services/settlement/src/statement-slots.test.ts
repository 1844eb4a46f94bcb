import { test } from 'node:test';
import assert from 'node:assert/strict';
import { sharedSlots } from './statement-worker.js';

test('shared slots: at most `width` runs at once over every caller, the rest in order; a failed run frees its slot', async () => {
  const inSlot = sharedSlots(2);
  let running = 0;
  let most = 0;
  const started: number[] = [];
  const release: (() => void)[] = [];
  const run = (i: number, fail = false) =>
    inSlot(async () => {
      started.push(i);
      running++;
      most = Math.max(most, running);
      await new Promise<void>((resolve) => (release[i] = resolve));
      running--;
      if (fail) throw new Error(`run ${i} failed`);
      return i;
    });
  const tick = () => new Promise((r) => setImmediate(r));
  const results = [run(0, true), run(1), run(2), run(3), run(4)].map((p) => p.then((v) => v, (e: Error) => e.message));
  await tick();
  assert.deepEqual(started, [0, 1]);
  release[0]!();
  await tick();
  assert.deepEqual(started, [0, 1, 2], 'the failed run gave its slot to the next in line');
  for (const i of [1, 2, 3]) {
    release[i]!();
    await tick();
  }
  release[4]!();
  assert.deepEqual(await Promise.all(results), ['run 0 failed', 1, 2, 3, 4]);
  assert.deepEqual(started, [0, 1, 2, 3, 4]);
  assert.equal(most, 2);
});
