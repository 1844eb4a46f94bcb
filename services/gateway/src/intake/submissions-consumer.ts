import type { Consumer, Kafka } from 'kafkajs';
import { METER_DATA_WRITE, TOPICS, topicName } from '@ies/contracts';
import { IesError, isIesError } from '@ies/errors';
import { ACKS_ALL, deadLetterMessage } from '@ies/kafka';
import { submitMeterBatch, type SubmitDeps } from '../ingest/submit-batch.js';

/** The dead-letter stage of refused submissions: their bytes are kept, so they can be re-driven (POST /v1/dead-letters/redrive). */
export const SUBMISSIONS_STAGE = 'submissions-consumer';

/** A headend-submissions.v1 record. */
export interface Submission {
  contentType: string;
  signature: string;
  body: Buffer;
  tenant: string | null;
}

export interface SubmissionsLog {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
}

/** The running intake: one consumer per served tenant. */
export interface SubmissionsIntake {
  /** Group id per tenant, as joined (`<groupPrefix>-<tenant>`). */
  readonly groups: ReadonlyMap<string, string>;
  disconnect(): Promise<void>;
}

/**
 * Head-ends that produce to `headend-submissions.v1` get exactly the HTTP route's checks
 * and outcomes: the record goes through the same use case. An accepted batch lands on
 * meter-batches.v1; a refused one becomes a dead-letter record with its code; a retriable
 * failure (Kafka, Redis or the registry unavailable) is not committed, so the record is
 * retried. The signature's iat is judged against the broker's arrival time of the record
 * (LogAppendTime), so a consumer that lags does not turn valid batches stale.
 *
 * One consumer group per tenant (`<groupPrefix>-<tenant>`): gateways serving different tenant
 * sets must not share a group, or the group leader hands a tenant's partitions to a member that
 * is not subscribed to that topic and they are never read. With a group per tenant, the members
 * of a group are exactly the gateways serving that tenant, whatever else each serves.
 */
export async function startSubmissionsConsumer(kafka: Kafka, deps: SubmitDeps, log: SubmissionsLog, groupPrefix: string): Promise<SubmissionsIntake> {
  const groups = new Map(deps.config.tenants.map((t) => [t, `${groupPrefix}-${t}`]));
  const consumers: Consumer[] = [];
  try {
    for (const [tenant, groupId] of groups) consumers.push(await startTenantConsumer(kafka, deps, log, tenant, groupId));
  } catch (err) {
    await Promise.allSettled(consumers.map((c) => c.disconnect()));
    throw err;
  }
  return {
    groups,
    disconnect: async () => {
      await Promise.all(consumers.map((c) => c.disconnect()));
    },
  };
}

async function startTenantConsumer(kafka: Kafka, deps: SubmitDeps, log: SubmissionsLog, tenant: string, groupId: string): Promise<Consumer> {
  const consumer = kafka.consumer({ groupId, sessionTimeout: 30_000 });
  await consumer.connect();
  await consumer.subscribe({ topic: topicName(tenant, TOPICS.headendSubmissions), fromBeginning: true });
  await consumer.run({
    eachMessage: async ({ topic, partition, message }) => {
      const sourceId = `${topic}/${partition}/${message.offset}`;
      let code: string;
      let detail: string;
      const arrivedAt = Number(message.timestamp);
      try {
        const s = await deps.serde.decode<Submission>(message.value ?? Buffer.alloc(0));
        const outcome = await submitMeterBatch({ ...deps, now: () => arrivedAt }, { body: s.body, contentType: s.contentType, signature: s.signature, tenant: s.tenant ?? tenant, request: METER_DATA_WRITE });
        if (!outcome.problem) {
          log.info({ sourceId, batchId: outcome.body.batchId, replayed: outcome.replayed }, 'submission accepted');
          return;
        }
        code = String(outcome.body.code);
        detail = String(outcome.body.detail);
      } catch (err) {
        // Retriable or unexpected failures are not committed: kafkajs retries with backoff,
        // so an outage never turns a good submission into a dead letter.
        if (!isIesError(err) || err.retriable) throw err;
        code = err.code;
        detail = err.message;
      }
      log.warn({ sourceId, code }, 'submission refused');
      await deadLetter(deps, tenant, sourceId, code, detail, message.value ?? null, arrivedAt);
    },
  });
  return consumer;
}

async function deadLetter(deps: SubmitDeps, tenant: string, sourceId: string, code: string, message: string, payload: Buffer | null, arrivedAt: number): Promise<void> {
  // The refused envelope is kept when it is small enough to inspect later, with the time it
  // arrived: a re-drive judges the signature's iat against it, as this consumer did.
  const record = await deadLetterMessage(deps.serde, { sourceId, discomId: tenant, stage: SUBMISSIONS_STAGE, code, message, rejectedAt: deps.now(), payload, context: { arrivedAt: String(arrivedAt) } });
  await deps.producer.send({ topic: topicName(tenant, TOPICS.deadLetter), acks: ACKS_ALL, messages: [record] }).catch((err: unknown) => {
    throw new IesError('IES_ERR_DEPENDENCY_UNAVAILABLE', `dead-letter write for ${sourceId} failed: ${(err as Error).message}`, { cause: err });
  });
}
