import { Queue } from 'bullmq';
import { settlementStatementQueue } from '@ies/contracts';
import type { Redis } from '@ies/redis';
import type { StatementScope } from '@ies/verify';
import { STATEMENT_QUEUE, runJobId, type StatementJob } from './statement-jobs.js';

/** Failed runs retry with exponential backoff (1 s, 2 s, 4 s, …); the sweep tries again later anyway. */
const RUN_OPTIONS = { attempts: 5, backoff: { type: 'exponential', delay: 1000 }, removeOnComplete: true, removeOnFail: true } as const;

/**
 * Enqueues statement runs (the worker and the gateway's POST /v1/statements/runs), each on its
 * DISCOM's own queue (`<prefix>.<discom>`), so only a node hosting the DISCOM takes it. A run's
 * job id is fixed by its DISCOM and scope: asking again while it waits or runs joins it.
 */
export class StatementRunQueue {
  private readonly queues = new Map<string, Queue<StatementJob>>();

  constructor(private readonly connection: Redis, readonly prefix: string = STATEMENT_QUEUE) {}

  /** The DISCOM's queue (opened on first use, kept until close). */
  queueOf(discomId: string): Queue<StatementJob> {
    let q = this.queues.get(discomId);
    if (q === undefined) {
      q = new Queue<StatementJob>(settlementStatementQueue(discomId, this.prefix), { connection: this.connection });
      this.queues.set(discomId, q);
    }
    return q;
  }

  /** `run` names a calendar run of a DAY scope (statement-calendar-run.ts), asked for at `askedAtMs`; `delayMs` holds it back that long. */
  async enqueue(discomId: string, scope: StatementScope, run?: string, askedAtMs?: number, delayMs?: number): Promise<string> {
    const jobId = runJobId(discomId, scope, run);
    await this.queueOf(discomId).add('run', { kind: 'RUN', discomId, scope, ...(run === undefined ? {} : { run }), ...(askedAtMs === undefined ? {} : { askedAtMs }) }, { ...RUN_OPTIONS, jobId, ...(delayMs === undefined ? {} : { delay: delayMs }) });
    return jobId;
  }

  async close(): Promise<void> {
    const open = [...this.queues.values()];
    this.queues.clear();
    await Promise.all(open.map((q) => q.close()));
  }
}
