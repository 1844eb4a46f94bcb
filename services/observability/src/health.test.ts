import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runReadiness } from './health.js';

test('readiness reports each check and is ready only when all pass', async () => {
  const report = await runReadiness(
    [
      { name: 'up', check: async () => {} },
      { name: 'down', check: async () => { throw new Error('connection refused 127.0.0.1:9092'); } },
      { name: 'slow', check: () => new Promise(() => {}) },
    ],
    50,
  );
  assert.equal(report.ready, false);
  assert.equal(report.checks.up?.ok, true);
  assert.equal(report.checks.down?.error, 'connection refused 127.0.0.1:9092');
  assert.equal(report.checks.slow?.error, 'no answer in 50 ms');
});
