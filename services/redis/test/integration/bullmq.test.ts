import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { Queue, QueueEvents, Worker } from 'bullmq';
import { QUEUES } from '@ies/contracts';
import { stackConfig, uniqueTenant } from '@ies/testing';
import { createRedis } from '../../src/index.js';

const config = stackConfig();
const name = `${QUEUES.selfCheck}.${uniqueTenant()}`;
// bullmq leaves connections it was given open on close(), so the test owns and ends them.
const connections = [createRedis(config), createRedis(config), createRedis(config)] as const;
const queue = new Queue(name, { connection: connections[0] });
const events = new QueueEvents(name, { connection: connections[1] });
const attempts: number[] = [];
const worker = new Worker(
  name,
  async (job) => {
    attempts.push(job.attemptsMade);
    if (job.data.failFirst === true && job.attemptsMade === 0) throw new Error('transient: simulated Redis-side hiccup');
    return { sumWh: (job.data.wh as number[]).reduce((a, b) => a + b, 0) };
  },
  { connection: connections[2], concurrency: 1 },
);
after(async () => {
  await worker.close();
  await events.close();
  await queue.obliterate({ force: true });
  await queue.close();
  for (const c of connections) c.disconnect();
});

test('a job goes round trip through Redis and returns its result', async () => {
  await events.waitUntilReady();
  const job = await queue.add('sum', { wh: [100, 250, 62] }, { jobId: 'job-sum-1' });
  assert.deepEqual(await job.waitUntilFinished(events, 30_000), { sumWh: 412 });
});

test('a failed attempt is retried with backoff and then succeeds', async () => {
  attempts.length = 0;
  const job = await queue.add('sum', { wh: [1, 2], failFirst: true }, { attempts: 3, backoff: { type: 'exponential', delay: 50 } });
  assert.deepEqual(await job.waitUntilFinished(events, 30_000), { sumWh: 3 });
  assert.deepEqual(attempts, [0, 1]);
});

test('adding the same jobId twice does not run it twice', async () => {
  const again = await queue.add('sum', { wh: [999] }, { jobId: 'job-sum-1' });
  assert.equal(again.id, 'job-sum-1');
  const counts = await queue.getJobCounts('completed');
  assert.equal(counts.completed, 2);
});
