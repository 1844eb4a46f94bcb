// A worker killed (SIGKILL) in the middle of a statement run, after it signed, published to
// statements.v1 and wrote ClickHouse but before the Redis commit: bullmq's stalled-job check
// hands the job to another worker, which finishes it with the very same bytes.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { sql } from '@ies/clickhouse';
import { eventually, uniqueTenant } from '@ies/testing';
import { startStatementWorker } from '../../src/statement-worker.js';
import { connect, finalOf, newEnv, policyFor, tradeOn } from './support.js';

const database = `it_stmt_${randomBytes(4).toString('hex')}`;
const env = newEnv(uniqueTenant(), database);
const T = env.tenant;
const day = '2026-03-12';
const statementId = `${T}:${day}:R0`;
let cleanup: () => Promise<void> = async () => {};

after(async () => cleanup());

test('a worker SIGKILLed mid-job leaves the job to another worker, which finishes it with the same bytes', async () => {
  const s = await connect(env);
  cleanup = async () => {
    await s.ch.command({ query: `DROP DATABASE IF EXISTS ${database}` });
    await s.close();
  };
  const trade = tradeOn(T, day, 'tx-crash');
  await s.p2p.confirm(T, trade, 'it', Date.now());
  await s.p2p.saveFinal(T, { discomId: T, version: 1, final: finalOf(T, trade, 3000), sellerJws: '', buyerJws: '', at: Date.now() });

  const child = spawn(process.execPath, [fileURLToPath(new URL('./statement-crash-child.js', import.meta.url))], {
    env: { ...process.env, IES_IT_ENV: JSON.stringify(env), IES_IT_STATEMENT_ID: statementId },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<NodeJS.Signals | null>((resolve) => child.on('exit', (_code, signal) => resolve(signal)));
  try {
    await eventually(async () => (out.includes('READY') ? true : undefined), 30_000, 'child worker ready');
    const { StatementRunQueue } = await import('../../src/statement-queue.js');
    const runs = new StatementRunQueue(s.redis, env.queueName);
    await runs.enqueue(T, { kind: 'DAY', day });
    await runs.close();
    await eventually(async () => (out.includes('PUBLISHED') ? true : undefined), 30_000, 'child mid-run');
  } finally {
    child.kill('SIGKILL');
  }
  assert.equal(await exited, 'SIGKILL');
  // The child wrote ClickHouse and Kafka, but never committed: the scope has no statement yet.
  assert.equal(await s.store.latest(T, { kind: 'DAY', day }), undefined);
  const written = await (await s.ch.query({ query: sql`SELECT DISTINCT sha256 FROM statements WHERE discom_id = ${T} AND statement_id = ${statementId}`, format: 'JSONEachRow' })).json<{ sha256: string }>();
  assert.equal(written.length, 1);

  const worker = await startStatementWorker({ config: s.config, connection: s.redis, producer: s.producer, serde: s.serde, ch: s.ch, p2p: s.p2p, dr: s.dr, logger: s.logger, policies: [policyFor(T)], queueName: env.queueName, lockDurationMs: 2000, stalledIntervalMs: 1000 });
  try {
    const done = await eventually(async () => (await s.store.latest(T, { kind: 'DAY', day })) ?? undefined, 60_000, 'the stalled job finished by the second worker');
    assert.equal(done.stored.statementId, statementId);
    assert.equal(done.stored.sha256, written[0]!.sha256);
    assert.equal(done.stored.status, 'COMPUTED');
    assert.deepEqual((await s.store.history(T, statementId)).map((h) => h.status), ['COMPUTED']);
  } finally {
    await worker.stop();
  }
});
