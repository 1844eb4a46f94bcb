import { Queue } from 'bullmq';
import type { Redis } from '@ies/redis';
import type { StatementScope } from '@ies/verify';
import { STATEMENT_QUEUE, runJobId, type StatementJob } from './statement-jobs.js';

/** Failed runs retry with exponential backoff (1 s, 2 s, 4 s, …); the sweep tries again later anyway. */
const RUN_OPTIONS = { attempts: 5, backoff: { type: 'exponential', delay: 1000 }, removeOnComplete: true, removeOnFail: true } as const;

/**
 * Enqueues statement runs (the worker and the gateway's POST /v1/statements/runs). A run's
 * job id is fixed by its DISCOM and scope: asking again while it waits or runs joins it.
 */
export class StatementRunQueue {
  readonly queue: Queue<StatementJob>;

  constructor(connection: Redis, name: string = STATEMENT_QUEUE) {
    this.queue = new Queue<StatementJob>(name, { connection });
  }

  /** `run` names a calendar run of a DAY scope (statement-calendar-run.ts), asked for at `askedAtMs`. */
  async enqueue(discomId: string, scope: StatementScope, run?: string, askedAtMs?: number): Promise<string> {
    const jobId = runJobId(discomId, scope, run);
    await this.queue.add('run', { kind: 'RUN', discomId, scope, ...(run === undefined ? {} : { run }), ...(askedAtMs === undefined ? {} : { askedAtMs }) }, { ...RUN_OPTIONS, jobId });
    return jobId;
  }

  close(): Promise<void> {
    return this.queue.close();
  }
}
