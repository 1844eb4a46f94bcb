import { test } from 'node:test';
import assert from 'node:assert/strict';
import { backoffMs, sleep } from './retry.js';

test('backoff doubles from the initial delay and stops at the cap', () => {
  const policy = { initialMs: 100, maxMs: 5000, jitter: 0 };
  assert.deepEqual([0, 1, 2, 3, 4, 5, 6, 10].map((a) => backoffMs(a, policy)), [100, 200, 400, 800, 1600, 3200, 5000, 5000]);
});

test('jitter stays within ± the fraction and never passes the cap', () => {
  const policy = { initialMs: 1000, maxMs: 1100, jitter: 0.2 };
  assert.equal(backoffMs(0, policy, () => 0), 800);
  assert.equal(backoffMs(0, policy, () => 1), 1100);
  assert.equal(backoffMs(0, policy, () => 0.5), 1000);
});

test('sleep ends early when its signal aborts', async () => {
  const ac = new AbortController();
  const started = Date.now();
  setTimeout(() => ac.abort(), 20);
  await sleep(10_000, ac.signal);
  assert.ok(Date.now() - started < 1000);
});
