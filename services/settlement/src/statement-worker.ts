import { Queue, Worker, type Job } from 'bullmq';
import type { Producer } from 'kafkajs';
import type { ClickHouseClient } from '@ies/clickhouse';
import type { Config } from '@ies/config';
import type { AvroSerde } from '@ies/kafka';
import type { Logger } from '@ies/observability';
import type { Redis } from '@ies/redis';
import type { PolicyPack } from './domain/policy-pack.js';
import type { DrSource } from './dr-lines.js';
import { loadSettlementPolicies } from './policies.js';
import { SettlementKeys } from './settlement-keys.js';
import { STATEMENT_QUEUE, dueDays, sweepSchedulerId, sweepWindowDays, type StatementJob } from './statement-jobs.js';
import { StatementRunQueue } from './statement-queue.js';
import { runStatement, type P2pDayInputs, type RunOutcome } from './statement-run.js';
import { runCalendarStatement, type CalendarRunDeps } from './statement-calendar-run.js';
import { finalsAtCutoff } from './finals-at-cutoff.js';
import { tradesAtCutoff } from './trades-at-cutoff.js';
import { estimatedFinals } from './run-estimates.js';
import { loadSideReads } from './side-reads.js';
import { P2pStore } from './p2p-store.js';
import { selectPolicy } from './domain/policy-pack.js';
import { resolveRun } from './domain/settlement-calendar.js';
import { StatementSinks } from './statement-sinks.js';
import { StatementStore } from './statement-store.js';
import { DisputeStore } from './dispute-store.js';

export interface StatementWorkerDeps {
  readonly config: Pick<Config, 'tenants' | 'settlement'>;
  /** ioredis with maxRetriesPerRequest: null (createRedis' default); the caller closes it. */
  readonly connection: Redis;
  readonly producer: Producer;
  readonly serde: AvroSerde;
  readonly ch: ClickHouseClient;
  readonly p2p: P2pDayInputs;
  readonly dr: DrSource;
  readonly logger: Logger;
  /** Defaults to the packs of IES_SETTLEMENT_POLICIES_DIR (services/settlement/policies). */
  readonly policies?: readonly PolicyPack[];
  readonly now?: () => number;
  /** Prefix of the DISCOMs' queues (`<prefix>.<discom>`; default ies.settlement-statements). */
  readonly queueName?: string;
  /** Runs processed in parallel by this replica, over all its DISCOMs' queues (default 2). */
  readonly concurrency?: number;
  /** bullmq lock of an active job; a crashed worker's job is taken over once it lapses (default 30 s). */
  readonly lockDurationMs?: number;
  /** How often this worker looks for stalled jobs (default 30 s). */
  readonly stalledIntervalMs?: number;
  readonly stage?: CalendarRunDeps['stage'];
  /** Before each run: the DISCOM's desk state (statements, disputes) restored if Redis lost it (desk-store-rebuild.ts). */
  readonly ensureDesk?: (discomId: string) => Promise<unknown>;
}

export interface StatementWorker {
  /** One per hosted DISCOM, on its own queue. */
  readonly workers: readonly Worker<StatementJob, RunOutcome | { enqueued: number }>[];
  readonly runs: StatementRunQueue;
  readonly store: StatementStore;
  /** Stops taking jobs, lets the active ones finish, closes the queue. Leaves the connection open. */
  stop(): Promise<void>;
}

/**
 * The statement worker: a repeatable SWEEP job per DISCOM (every statementIntervalMs) enqueues
 * a RUN for every due IST day in the re-evaluation window and every DR event of those days;
 * a RUN builds, signs and stores one statement (runStatement). Job ids are deterministic and
 * runs idempotent, and bullmq's stalled-job check hands a crashed worker's job to another
 * replica once its lock lapses.
 */
export async function startStatementWorker(deps: StatementWorkerDeps): Promise<StatementWorker> {
  const now = deps.now ?? Date.now;
  const s = deps.config.settlement;
  const store = new StatementStore(deps.connection);
  const keys = new SettlementKeys(deps.connection, s.keysDir);
  const finalsStore = new P2pStore(deps.connection);
  const runDeps: CalendarRunDeps = {
    p2p: deps.p2p, dr: deps.dr, policies: deps.policies ?? loadSettlementPolicies(s.policiesDir || undefined), store,
    finalsAt: (d, tradeIds, cutoffMs) => finalsAtCutoff(deps.ch, (id) => finalsStore.getFinalRecord(d, id), d, tradeIds, cutoffMs),
    tradesAt: async (d, day, cutoffMs) => tradesAtCutoff(deps.ch, await finalsStore.heldTradesForDay(d, day), d, cutoffMs),
    estimatesAt: (d, day, trades, finals, cutoffMs) => estimatedFinals((discom, channel, meters, fromMs, toMs, by) => loadSideReads(deps.ch, discom, channel, meters, fromMs, toMs, by), d, day, trades, finals, cutoffMs),
    sinks: new StatementSinks({ producer: deps.producer, serde: deps.serde, ch: deps.ch }),
    disputes: new DisputeStore(deps.connection, { producer: deps.producer, serde: deps.serde }),
    signer: async (d) => {
      const { privateKeys, jwks } = await keys.keyFile(d).current();
      return { kid: jwks[0]!.kid as string, privateKey: privateKeys[0]! };
    },
    now, ...(deps.stage ? { stage: deps.stage } : {}),
  };
  // Publish every tenant's settlement public keys before the first statement needs them
  // (and again on every sweep, so a rotated key shows up in the JWKS).
  for (const t of deps.config.tenants) await keys.publish(t);
  const queueName = deps.queueName ?? STATEMENT_QUEUE;
  const runs = new StatementRunQueue(deps.connection, queueName);
  // The one queue every DISCOM shared before (see adoptSharedQueueJobs), open while this worker runs.
  const shared = new Queue<StatementJob>(queueName, { connection: deps.connection });
  await adoptSharedQueueJobs(shared, runs, deps.config.tenants, deps.logger);

  const handle = async (job: Job<StatementJob>): Promise<RunOutcome | { enqueued: number }> => {
    const data = job.data;
    if (data.kind === 'RUN') {
      // A run after a Redis loss must see the day's statements and disputes, not an empty day.
      await deps.ensureDesk?.(data.discomId);
      const calendar = data.scope.kind === 'DAY' && (data.run !== undefined || hasCalendar(data.discomId, data.scope.day));
      const outcome = calendar && data.scope.kind === 'DAY' ? await runCalendarStatement(runDeps, data.discomId, data.scope.day, data.run, data.askedAtMs === undefined ? {} : { askedAtMs: data.askedAtMs }) : await runStatement(runDeps, data.discomId, data.scope);
      if (outcome.outcome !== 'UNCHANGED') deps.logger.info({ jobId: job.id, ...outcome }, 'statement stored');
      return outcome;
    }
    await keys.publish(data.discomId);
    // Runs an older process still puts on the shared queue (a rolling upgrade) move over on every sweep.
    await adoptSharedQueueJobs(shared, runs, [data.discomId], deps.logger);
    let enqueued = 0;
    for (const day of dueDays(now(), s.statementGraceMs, sweepWindowDays(runDeps.policies, data.discomId, s.statementWindowDays))) {
      if (hasCalendar(data.discomId, day)) {
        // A calendar day gets its latest due run (an issued one is re-run: it must reproduce).
        const due = dueRun(data.discomId, day);
        if (due !== undefined) {
          await runs.enqueue(data.discomId, { kind: 'DAY', day }, due);
          enqueued++;
        }
      } else {
        await runs.enqueue(data.discomId, { kind: 'DAY', day });
        enqueued++;
      }
      for (const e of await deps.dr.eventsOnDay(data.discomId, day)) {
        if (e.state === 'DRAFT' || e.state === 'CANCELLED') continue;
        await runs.enqueue(data.discomId, { kind: 'DR_EVENT', eventId: e.eventId });
        enqueued++;
      }
    }
    return { enqueued };
  };
  function hasCalendar(discomId: string, day: string): boolean {
    try {
      return selectPolicy(runDeps.policies, discomId, day).calendar !== undefined;
    } catch {
      return false; // no pack in force: the plain run reports it
    }
  }
  function dueRun(discomId: string, day: string): string | undefined {
    const calendar = selectPolicy(runDeps.policies, discomId, day).calendar;
    try {
      return resolveRun(calendar, discomId, day, now()).run.name;
    } catch {
      return undefined; // no run of the day is due yet
    }
  }
  // A worker per hosted DISCOM, on that DISCOM's queue: a run of a DISCOM this node does not
  // host is never taken here. The workers share `concurrency` slots (a large DISCOM's day
  // statement is held in memory while it is built), and each takes at most its share of them,
  // at least one job, so few jobs wait locked; bullmq renews the lock of a job waiting for a slot.
  const concurrency = deps.concurrency ?? 2;
  const inSlot = sharedSlots(concurrency);
  const share = Math.max(1, Math.floor(concurrency / Math.max(1, deps.config.tenants.length)));
  const workers = deps.config.tenants.map((t) => {
    const worker = new Worker<StatementJob, RunOutcome | { enqueued: number }>(runs.queueOf(t).name, (job) => inSlot(() => handle(job)), {
      connection: deps.connection, concurrency: share,
      lockDuration: deps.lockDurationMs ?? 30_000, stalledInterval: deps.stalledIntervalMs ?? 30_000,
    });
    worker.on('failed', (job, err) => deps.logger.error({ err, tenant: t, jobId: job?.id, attemptsMade: job?.attemptsMade }, 'statement job failed'));
    worker.on('error', (err) => deps.logger.error({ err, tenant: t }, 'statement worker error'));
    return worker;
  });
  for (const t of deps.config.tenants) {
    await runs.queueOf(t).upsertJobScheduler(sweepSchedulerId(t), { every: s.statementIntervalMs }, { name: 'sweep', data: { kind: 'SWEEP', discomId: t }, opts: { removeOnComplete: true, removeOnFail: 100 } });
  }
  deps.logger.info({ tenants: deps.config.tenants, queues: deps.config.tenants.map((t) => runs.queueOf(t).name), everyMs: s.statementIntervalMs, graceMs: s.statementGraceMs, windowDays: s.statementWindowDays }, 'statement worker running');
  return {
    workers, runs, store,
    async stop() {
      await Promise.allSettled(workers.map((w) => w.close()));
      await runs.close();
      await shared.close();
    },
  };
}

/** Runs at most `width` calls of `work` at once; the others wait their turn, in order. */
export function sharedSlots(width: number): <T>(work: () => Promise<T>) => Promise<T> {
  let busy = 0;
  const waiting: (() => void)[] = [];
  return async (work) => {
    if (busy < width) busy++;
    else await new Promise<void>((resolve) => waiting.push(resolve));
    try {
      return await work();
    } finally {
      // The slot passes straight to the next in line, or is freed.
      const next = waiting.shift();
      if (next !== undefined) next();
      else busy--;
    }
  };
}

/**
 * Before the queue per DISCOM, every DISCOM's runs shared one queue named by the prefix alone,
 * and any node's worker took any DISCOM's job. For each of `hosted`: its sweep scheduler there
 * is removed, and its runs still waiting there move to its own queue under the same job id.
 * The move never runs a scope on both queues at once: the copy is added delayed, the original
 * removed, and only then is the copy promoted (or dropped, when an older worker took the
 * original meanwhile and runs it there). A run active on a killed older worker stays on the
 * shared queue; the sweep asks for every due day again.
 */
async function adoptSharedQueueJobs(shared: Queue<StatementJob>, runs: StatementRunQueue, hosted: readonly string[], logger: Logger): Promise<void> {
  for (const t of hosted) await shared.removeJobScheduler(sweepSchedulerId(t));
  let moved = 0;
  for (const job of await shared.getJobs(['waiting', 'delayed', 'prioritized'])) {
    const data = job?.data;
    if (data?.kind !== 'RUN' || !hosted.includes(data.discomId) || job.id === undefined) continue;
    const own = runs.queueOf(data.discomId);
    const held = (await own.getJob(job.id)) !== undefined;
    if (!held) await runs.enqueue(data.discomId, data.scope, data.run, data.askedAtMs, ADOPTION_DELAY_MS);
    let removed = true;
    try {
      await job.remove();
    } catch {
      removed = false; // taken meanwhile by an older worker: it runs there
    }
    if (held) continue; // the DISCOM's queue already had this run
    const copy = await own.getJob(job.id);
    if (removed) {
      await copy?.promote().catch(() => {}); // already promoted or taken: it runs
      moved++;
    } else {
      await copy?.remove().catch(() => {});
    }
  }
  if (moved > 0) logger.info({ moved, from: runs.prefix }, 'statement runs moved from the shared queue to their DISCOMs\' queues');
}

/** How long a moved run's copy waits if this process stops between adding it and removing the original. */
const ADOPTION_DELAY_MS = 60_000;
