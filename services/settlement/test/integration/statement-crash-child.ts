// A statement worker in a child process for the crash test: it stops (hangs) inside the run of
// IES_IT_STATEMENT_ID right after signing and publishing, before the Redis commit, and says
// so on stdout; the parent then SIGKILLs it. Not a test file itself.
import { startStatementWorker } from '../../src/statement-worker.js';
import { connect, policyFor, type Env } from './support.js';

const env = JSON.parse(process.env.IES_IT_ENV!) as Env;
const target = process.env.IES_IT_STATEMENT_ID!;
const s = await connect(env);
await startStatementWorker({
  config: s.config, connection: s.redis, producer: s.producer, serde: s.serde, ch: s.ch, p2p: s.p2p, dr: s.dr, logger: s.logger,
  policies: [policyFor(env.tenant)], queueName: env.queueName, concurrency: 1, lockDurationMs: 2000, stalledIntervalMs: 1000,
  stage: async (stage, statementId) => {
    if (stage !== 'published' || statementId !== target) return;
    process.stdout.write('PUBLISHED\n');
    await new Promise(() => {});
  },
});
process.stdout.write('READY\n');
