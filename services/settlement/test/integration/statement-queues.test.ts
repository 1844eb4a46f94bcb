// Each DISCOM's statement runs are on its own bullmq queue, on the real local stack: a worker
// takes the runs of the DISCOMs its node hosts and never another's (before, one shared queue let
// any node's worker settle, or half-settle, any DISCOM's day). Runs left on the shared queue by
// an older process move to their DISCOM's queue when a hosting worker starts, and on each sweep.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { Queue } from 'bullmq';
import { settlementStatementQueue } from '@ies/contracts';
import { eventually, uniqueTenant } from '@ies/testing';
import { runJobId, sweepSchedulerId, type StatementJob } from '../../src/statement-jobs.js';
import { StatementRunQueue } from '../../src/statement-queue.js';
import { startStatementWorker } from '../../src/statement-worker.js';
import { connect, finalOf, newEnv, policyFor, tradeOn } from './support.js';

const database = `it_stmtq_${randomBytes(4).toString('hex')}`;
const env = newEnv(uniqueTenant(), database);
const A = env.tenant;
const B = uniqueTenant(); // a DISCOM this node does not host
let s: Awaited<ReturnType<typeof connect>>;

before(async () => {
  s = await connect(env);
});

after(async () => {
  for (const name of [env.queueName, settlementStatementQueue(A, env.queueName), settlementStatementQueue(B, env.queueName)]) {
    const q = new Queue(name, { connection: s.redis });
    await q.obliterate({ force: true });
    await q.close();
  }
  await s.ch.command({ query: `DROP DATABASE IF EXISTS ${database}` });
  await s.close();
});

test('a worker takes only its DISCOMs\' runs; its runs and sweep left on the shared queue move to its own queue, at start and on each sweep; another DISCOM\'s stay', async () => {
  const [day1, day2] = ['2026-03-11', '2026-03-12'];
  for (const day of [day1, day2]) {
    const trade = tradeOn(A, day, `tx-q-${day}`);
    await s.p2p.confirm(A, trade, 'it', Date.now());
    await s.p2p.saveFinal(A, { discomId: A, version: 1, final: finalOf(A, trade, 3000), sellerJws: '', buyerJws: '', at: Date.now() });
  }
  // What an older worker left on the one shared queue: A's sweep and a run each of A and B.
  const shared = new Queue<StatementJob>(env.queueName, { connection: s.redis });
  await shared.upsertJobScheduler(sweepSchedulerId(A), { every: 86_400_000 }, { name: 'sweep', data: { kind: 'SWEEP', discomId: A } });
  for (const d of [A, B]) await shared.add('run', { kind: 'RUN', discomId: d, scope: { kind: 'DAY', day: day1 } }, { jobId: runJobId(d, { kind: 'DAY', day: day1 }) });
  // B's run asked for on B's own queue (as the gateway of B's node would).
  const runs = new StatementRunQueue(s.redis, env.queueName);
  const bJob = await runs.enqueue(B, { kind: 'DAY', day: day2 });

  const worker = await startStatementWorker({ config: s.config, connection: s.redis, producer: s.producer, serde: s.serde, ch: s.ch, p2p: s.p2p, dr: s.dr, logger: s.logger, policies: [policyFor(A)], queueName: env.queueName });
  try {
    assert.deepEqual(worker.workers.map((w) => w.name), [settlementStatementQueue(A, env.queueName)]);
    await worker.runs.enqueue(A, { kind: 'DAY', day: day2 });
    for (const day of [day1, day2]) {
      const latest = await eventually(async () => (await s.store.latest(A, { kind: 'DAY', day })) ?? undefined, 30_000, `A's ${day} settled by the worker`);
      assert.equal(latest.stored.statementId, `${A}:${day}:R0`);
    }
    // B's runs were not taken: still waiting where they were put, and nothing stored for B.
    assert.equal(await runs.queueOf(B).getJobState(bJob), 'waiting');
    assert.equal(await shared.getJobState(runJobId(B, { kind: 'DAY', day: day1 })), 'waiting');
    for (const day of [day1, day2]) assert.equal(await s.store.latest(B, { kind: 'DAY', day }), undefined);
    // A's run and sweep left the shared queue; A's sweep is on A's queue.
    assert.equal(await shared.getJobState(runJobId(A, { kind: 'DAY', day: day1 })), 'unknown');
    assert.deepEqual((await shared.getJobSchedulers()).map((j) => j.key), []);
    assert.deepEqual((await runs.queueOf(A).getJobSchedulers()).map((j) => j.key), [sweepSchedulerId(A)]);

    // An older gateway still puts A's runs on the shared queue during a rolling upgrade: A's next sweep moves them over.
    const day3 = '2026-03-13';
    const trade = tradeOn(A, day3, `tx-q-${day3}`);
    await s.p2p.confirm(A, trade, 'it', Date.now());
    await s.p2p.saveFinal(A, { discomId: A, version: 1, final: finalOf(A, trade, 3000), sellerJws: '', buyerJws: '', at: Date.now() });
    await shared.add('run', { kind: 'RUN', discomId: A, scope: { kind: 'DAY', day: day3 } }, { jobId: runJobId(A, { kind: 'DAY', day: day3 }) });
    await runs.queueOf(A).add('sweep', { kind: 'SWEEP', discomId: A });
    const latest = await eventually(async () => (await s.store.latest(A, { kind: 'DAY', day: day3 })) ?? undefined, 30_000, `A's ${day3} settled after the sweep moved it`);
    assert.equal(latest.stored.statementId, `${A}:${day3}:R0`);
    assert.equal(await shared.getJobState(runJobId(A, { kind: 'DAY', day: day3 })), 'unknown');
    assert.equal(await shared.getJobState(runJobId(B, { kind: 'DAY', day: day1 })), 'waiting');
  } finally {
    await worker.stop();
    await runs.close();
    await shared.close();
  }
});
