import { Queue, type Worker } from 'bullmq';
import type { Redis } from 'ioredis';
import type { Consumer, Kafka } from 'kafkajs';
import { isDiscomId } from '@ies/contracts';
import { IesError } from '@ies/errors';
import type { AvroSerde, LogSink } from '@ies/kafka';
import { DEFAULT_RETRY, KEEP_COMPLETED_SECONDS, WEBHOOK_DELIVERY_QUEUE, type DeliveryJobData } from './delivery-queue.js';
import { DeliverySequence } from './delivery-sequence.js';
import { startDeliveryWorker, type DeliveryOutcome } from './delivery-worker.js';
import { startRelayConsumer } from './relay-consumer.js';
import type { WebhookSigningKey } from './signed-post.js';
import type { WebhookUrlPolicy } from './domain/webhook-url.js';
import { WebhookRegistry } from './webhook-registry.js';

export interface WebhookRelayOptions {
  kafka: Kafka;
  serde: AvroSerde;
  /** ioredis connection with `maxRetriesPerRequest: null` (createRedis' default); the caller closes it. */
  connection: Redis;
  tenants: readonly string[];
  /** The node's webhook signing key; receivers verify with its public JWK (the node's JWKS). */
  signingKey: WebhookSigningKey;
  /** Kafka consumer group, shared by every replica of the relay. */
  groupId: string;
  /**
   * Where deliveries may go (checked on every POST, against the address connected to): public
   * addresses, plus `allowedNetworks`, plus loopback when `allowLoopbackHttp` (local stack).
   */
  webhookPolicy?: Partial<WebhookUrlPolicy>;
  /** Defaults to WEBHOOK_DELIVERY_QUEUE. */
  queueName?: string;
  /** Attempts per message, the first included (default 8). */
  attempts?: number;
  /** First retry delay in ms, doubling per retry (default 1000). */
  backoffMs?: number;
  /** Per-POST timeout in ms (default 10 000). */
  timeoutMs?: number;
  /** Jobs delivered in parallel by this replica (default 8); order per event holds regardless. */
  concurrency?: number;
  /** Re-check interval of a job waiting for an earlier message of its event (default 500 ms). */
  holdMs?: number;
  /** Where a new consumer group starts (default true: the beginning). */
  fromBeginning?: boolean;
  log?: LogSink;
  now?: () => number;
}

export interface WebhookRelay {
  consumer: Consumer;
  queue: Queue<DeliveryJobData>;
  worker: Worker<DeliveryJobData, DeliveryOutcome>;
  /**
   * Queues a callback delivery (an OpenADR subscription's notification): numbered within
   * `orderKey` so callbacks of one subscription and event arrive in order, retried like every
   * delivery, checked against the same address policy. The same `deliveryId` again is a no-op.
   */
  notify(callback: CallbackDelivery): Promise<void>;
  /** Stops consuming, then lets in-flight deliveries finish. Leaves the connection open. */
  stop(): Promise<void>;
}

export interface CallbackDelivery {
  discomId: string;
  /** The subscriber (`<discom>/<participant>`). */
  clientId: string;
  /** Deliveries with the same key arrive in the order they were queued. */
  orderKey: string;
  /** Stable id of this message: the job id and the JWS jti. */
  deliveryId: string;
  url: string;
  bearerToken: string | null;
  body: Record<string, unknown>;
}

const silent: LogSink = { error() {}, warn() {}, info() {}, debug() {} };

/**
 * Relays the tenants' DR topics (dr-events, baselines, dr-performance) to the webhooks of
 * their aggregators: signed, retried with exponential backoff, in order per event.
 */
export async function startWebhookRelay(options: WebhookRelayOptions): Promise<WebhookRelay> {
  const o = validate(options);
  const log = o.log ?? silent;
  const queueName = o.queueName ?? WEBHOOK_DELIVERY_QUEUE;
  const webhooks = new WebhookRegistry(o.connection, o.webhookPolicy);
  const sequence = new DeliverySequence(o.connection);
  const queue = new Queue<DeliveryJobData>(queueName, { connection: o.connection });
  const worker = startDeliveryWorker({
    queueName, connection: o.connection, webhooks, sequence, signingKey: o.signingKey, log,
    concurrency: o.concurrency ?? 8, timeoutMs: o.timeoutMs ?? 10_000, holdMs: o.holdMs ?? 500, now: o.now ?? Date.now,
  });
  const retry = { attempts: o.attempts ?? DEFAULT_RETRY.attempts, backoffMs: o.backoffMs ?? DEFAULT_RETRY.backoffMs };
  let consumer: Consumer;
  try {
    consumer = await startRelayConsumer({ kafka: o.kafka, serde: o.serde, queue, webhooks, sequence, tenants: o.tenants, groupId: o.groupId, retry, fromBeginning: o.fromBeginning ?? true, log });
  } catch (err) {
    await worker.close();
    await queue.close();
    throw err;
  }
  const callbacks = callbackQueue(queue, sequence, retry);
  return {
    consumer, queue, worker,
    notify: callbacks.notify,
    async stop() {
      await consumer.disconnect();
      await worker.close();
      await queue.close();
    },
  };
}

function validate(o: WebhookRelayOptions): WebhookRelayOptions {
  const problems: string[] = [];
  for (const t of o.tenants) if (!isDiscomId(t)) problems.push(`tenant ${JSON.stringify(t)} is not a DISCOM id`);
  if (o.tenants.length === 0) problems.push('no tenants to relay');
  if (o.attempts !== undefined && (!Number.isInteger(o.attempts) || o.attempts < 1)) problems.push(`attempts=${o.attempts} must be an integer ≥ 1`);
  if (o.backoffMs !== undefined && !(o.backoffMs >= 0)) problems.push(`backoffMs=${o.backoffMs} must be ≥ 0`);
  if (o.timeoutMs !== undefined && !(o.timeoutMs > 0)) problems.push(`timeoutMs=${o.timeoutMs} must be > 0`);
  if (o.concurrency !== undefined && (!Number.isInteger(o.concurrency) || o.concurrency < 1)) problems.push(`concurrency=${o.concurrency} must be an integer ≥ 1`);
  if (o.queueName !== undefined && (o.queueName === '' || o.queueName.includes(':'))) problems.push(`queueName ${JSON.stringify(o.queueName)} must be non-empty without ':'`);
  if (problems.length > 0) throw new IesError('IES_ERR_CONFIG_INVALID', `webhook relay options invalid: ${problems.join('; ')}`);
  return Object.freeze({ ...o });
}

function callbackQueue(queue: Queue<DeliveryJobData>, sequence: DeliverySequence, retry: { attempts: number; backoffMs: number }): { notify(c: CallbackDelivery): Promise<void> } {
  const sequenceOf = async (discom: string, key: string, id: string) => (await sequence.assigned(discom, key, id)) ?? sequence.assign(discom, key, id);
  return {
    async notify(c) {
      const n = await sequenceOf(c.discomId, c.orderKey, c.deliveryId);
      const data: DeliveryJobData = { discomId: c.discomId, aggregatorId: c.clientId, eventId: c.orderKey, topic: 'openadr', topicId: 'drEvents', sequence: n, record: c.body, callback: { url: c.url, bearerToken: c.bearerToken } };
      await queue.add('openadr-callback', data, { jobId: c.deliveryId, attempts: retry.attempts, backoff: { type: 'exponential', delay: retry.backoffMs }, removeOnComplete: { age: KEEP_COMPLETED_SECONDS }, removeOnFail: false });
    },
  };
}

/**
 * Queues callback deliveries from a process that runs no relay (the node's HTTP server: an
 * OpenADR object written through a request): the relay's workers deliver them, numbered and
 * retried like those the relay queues itself.
 */
export function openCallbackQueue(options: { connection: Redis; queueName?: string; attempts?: number; backoffMs?: number }): { notify(c: CallbackDelivery): Promise<void>; close(): Promise<void> } {
  const queue = new Queue<DeliveryJobData>(options.queueName ?? WEBHOOK_DELIVERY_QUEUE, { connection: options.connection });
  const callbacks = callbackQueue(queue, new DeliverySequence(options.connection), { attempts: options.attempts ?? DEFAULT_RETRY.attempts, backoffMs: options.backoffMs ?? DEFAULT_RETRY.backoffMs });
  return { notify: callbacks.notify, close: () => queue.close() };
}
