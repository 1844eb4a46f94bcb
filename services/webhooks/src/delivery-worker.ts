import { DelayedError, Worker, type Job } from 'bullmq';
import type { Redis } from 'ioredis';
import type { LogSink } from '@ies/kafka';
import { orderDecision } from './domain/delivery-order.js';
import type { DeliveryJobData } from './delivery-queue.js';
import type { DeliverySequence } from './delivery-sequence.js';
import { postSigned, type WebhookSigningKey } from './signed-post.js';
import type { WebhookRegistry } from './webhook-registry.js';

export interface DeliveryWorkerDeps {
  queueName: string;
  connection: Redis;
  /** Registrations; its addressPolicy decides where a POST may go. */
  webhooks: WebhookRegistry;
  sequence: DeliverySequence;
  signingKey: WebhookSigningKey;
  concurrency: number;
  timeoutMs: number;
  /** How long a job waits before looking again whether its predecessor is settled. */
  holdMs: number;
  log: LogSink;
  now: () => number;
}

export type DeliveryOutcome = { outcome: 'delivered'; status: number } | { outcome: 'already-settled' } | { outcome: 'no-webhook' };

/** The bullmq worker: unpacks a job and hands it to `deliver`. */
export function startDeliveryWorker(deps: DeliveryWorkerDeps): Worker<DeliveryJobData, DeliveryOutcome> {
  const worker = new Worker<DeliveryJobData, DeliveryOutcome>(deps.queueName, (job, token) => deliver(deps, job, token), { connection: deps.connection, concurrency: deps.concurrency });
  worker.on('error', (err) => deps.log.error({ err }, 'webhook delivery worker error'));
  return worker;
}

async function deliver(deps: DeliveryWorkerDeps, job: Job<DeliveryJobData, DeliveryOutcome>, token: string | undefined): Promise<DeliveryOutcome> {
  const { discomId, aggregatorId, eventId, sequence, topic, record } = job.data;
  const decision = orderDecision(sequence, await deps.sequence.settledUpTo(discomId, eventId));
  if (decision === 'settled') return { outcome: 'already-settled' };
  if (decision === 'hold') {
    // Waiting for an earlier message of the event is not a failed attempt: moveToDelayed
    // does not count one, so a long retry of the predecessor cannot use up this job's
    // attempts, and bullmq's backoff stays about this message's own failures.
    await job.moveToDelayed(deps.now() + deps.holdMs, token);
    throw new DelayedError();
  }
  const callback = job.data.callback;
  const webhook = callback ? { url: callback.url } : await deps.webhooks.get(discomId, aggregatorId);
  if (!webhook) {
    // Unregistered since the record was read: nothing to send, but later messages must not wait.
    await deps.sequence.settle(discomId, eventId, sequence);
    return { outcome: 'no-webhook' };
  }
  const nowMs = deps.now();
  // A callback carries the subscriber's own body (an OpenADR notification) and bearer token.
  const body = Buffer.from(JSON.stringify(callback ? record : { ...record, topic, deliveredAt: nowMs }));
  let status: number;
  try {
    status = await postSigned({ url: webhook.url, body, jti: job.id as string, tenant: discomId, key: deps.signingKey, nowMs, timeoutMs: deps.timeoutMs, addressPolicy: deps.webhooks.addressPolicy, bearerToken: callback?.bearerToken ?? null });
  } catch (err) {
    const attempt = job.attemptsMade + 1;
    const attempts = job.opts.attempts ?? 1;
    if (attempt >= attempts) {
      // Given up: the job stays failed (visible, retryable by an operator) and the event's
      // later messages are released rather than held forever behind it.
      await deps.sequence.settle(discomId, eventId, sequence);
      deps.log.warn({ err, jobId: job.id, discomId, aggregatorId, eventId, sequence, attempts }, `webhook delivery given up after ${attempts} attempts`);
    }
    throw err;
  }
  await deps.sequence.settle(discomId, eventId, sequence);
  return { outcome: 'delivered', status };
}
