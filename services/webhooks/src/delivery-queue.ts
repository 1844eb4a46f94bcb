import type { RelayedTopic } from './domain/delivery-id.js';

/**
 * The bullmq queue of webhook deliveries (a wire name: never rename without a migration
 * note). One queue for every tenant: job ids start with the tenant's topic name.
 */
export const WEBHOOK_DELIVERY_QUEUE = 'ies.dr-webhooks';

/** What one delivery job carries: everything the worker needs, nothing it must look up. */
export interface DeliveryJobData {
  discomId: string;
  aggregatorId: string;
  eventId: string;
  /** Kafka topic the record came from (goes into the body). */
  topic: string;
  topicId: RelayedTopic;
  /** Position among the event's deliveries (1, 2, …): the order the receiver sees. */
  sequence: number;
  /** The decoded Avro record, as JSON (for a callback: the body to send, as it is). */
  record: Record<string, unknown>;
  /**
   * Set for an OpenADR subscription's callback (docs/openadr.md): POSTed to this URL with
   * the subscriber's bearer token instead of the aggregator's registered webhook. `eventId`
   * is then the order key (subscription and event), `aggregatorId` the subscriber.
   */
  callback?: { url: string; bearerToken: string | null };
}

export interface DeliveryRetryOptions {
  /** Attempts per message, the first included. */
  attempts: number;
  /** First retry delay; it doubles on each further retry (bullmq exponential backoff). */
  backoffMs: number;
}

export const DEFAULT_RETRY: Readonly<DeliveryRetryOptions> = Object.freeze({ attempts: 8, backoffMs: 1000 });

/**
 * Completed jobs are kept a week: while a job exists, adding its id again is a no-op, the
 * first line of de-duplication (the per-event numbers are the second, for 30 days).
 * Failed jobs are kept until an operator removes or retries them.
 */
export const KEEP_COMPLETED_SECONDS = 7 * 24 * 60 * 60;
