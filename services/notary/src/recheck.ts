import { createHmac, randomBytes } from 'node:crypto';
import type { Consumer, EachBatchPayload, Kafka, Producer } from 'kafkajs';
import { Partitioners } from 'kafkajs';
import { Counter, type Registry } from 'prom-client';
import { METRICS, TOPICS, topicName } from '@ies/contracts';
import { IesError } from '@ies/errors';
import { commitInTransaction, deadLetterMessage, type AvroSerde } from '@ies/kafka';
import type { Logger } from '@ies/observability';
import type { BatchVerifier, MeterBatchRecord } from '@ies/registry/verify-batch';
import { batchRootOf, isBatchRootText } from './domain/batch-tree.js';
import { NOTARY_GROUP_PREFIX } from './notary.js';

/** Consumer group and transactional id prefix of the re-checker (under the notary's ACL prefix). */
export const RECHECK_GROUP_PREFIX = `${NOTARY_GROUP_PREFIX}-recheck`;

/** The alarm every mismatch logs (field `alarm`), for log-based alerting. */
export const RECHECK_ALARM = 'IES_ALARM_BATCH_ROOT_MISMATCH';

/** The dead-letter stage of a notarised batch that failed its re-check. */
export const RECHECK_STAGE = 'notary-recheck';

export type RecheckOutcome =
  | { readonly kind: 'checked' }
  /** Not chosen by the sample, carries no root (the notary hashed it itself), or refused by the notary already. */
  | { readonly kind: 'skipped'; readonly reason: 'sample' | 'no-root' | 'refused-by-notary' }
  | { readonly kind: 'mismatch'; readonly code: 'IES_ERR_BATCH_ROOT_MISMATCH' | 'IES_ERR_BATCH_READS_MISMATCH'; readonly message: string; readonly batchId: string; readonly details: Record<string, string> };

/**
 * Re-checks one meter-batches.v1 record the notary appended on the gateway's word: the carried
 * root and count must be the RFC 6962 root and count of the record's reads, and the reads must
 * be what normalising the signed body gives (BatchVerifier.check, the check the notary ran
 * itself before batch roots were carried). A record whose signature does not verify was
 * refused by the notary (no entry), so it is not this check's to report.
 */
export async function recheckBatch(record: MeterBatchRecord, discomId: string, verifier: Pick<BatchVerifier, 'check'>): Promise<RecheckOutcome> {
  if (record.batchRoot === null || record.batchRoot === undefined) return { kind: 'skipped', reason: 'no-root' };
  // A malformed root or count never became an entry: the notary dead-lettered the record.
  if (!isBatchRootText(record.batchRoot) || typeof record.readCount !== 'number' || record.readCount < 0) return { kind: 'skipped', reason: 'refused-by-notary' };
  const computed = Buffer.from(batchRootOf(record.discomId, record.reads)).toString('base64');
  if (computed !== record.batchRoot || record.readCount !== record.reads.length) {
    const verdict = await verifier.check(record, discomId);
    if (!verdict.ok && verdict.code !== 'IES_ERR_BATCH_READS_MISMATCH') return { kind: 'skipped', reason: 'refused-by-notary' };
    return {
      kind: 'mismatch',
      code: 'IES_ERR_BATCH_ROOT_MISMATCH',
      batchId: record.batchId,
      message: `batch ${record.batchId} was notarised with batchRoot ${record.batchRoot} over ${record.readCount} reads, but its ${record.reads.length} reads have root ${computed}`,
      details: { claimedRoot: record.batchRoot, computedRoot: computed, claimedReadCount: String(record.readCount), readCount: String(record.reads.length) },
    };
  }
  const verdict = await verifier.check(record, discomId);
  if (verdict.ok) return { kind: 'checked' };
  if (verdict.code !== 'IES_ERR_BATCH_READS_MISMATCH') return { kind: 'skipped', reason: 'refused-by-notary' };
  return { kind: 'mismatch', code: 'IES_ERR_BATCH_READS_MISMATCH', batchId: record.batchId, message: `batch ${record.batchId} was notarised with the root of reads that are not its signed body's: ${verdict.message}`, details: { claimedRoot: record.batchRoot } };
}

export interface Rechecker {
  stop(): Promise<void>;
}

/**
 * The notary's re-checker for one tenant: its own consumer group on meter-batches.v1, off the
 * append path (its own process, ies-notary-recheck, at a lower priority). It re-checks every
 * record that carries a batch root, or a random `percent` of them, and for each mismatch logs
 * the alarm (`alarm: IES_ALARM_BATCH_ROOT_MISMATCH`, with the batch id and both roots), counts
 * it (ies_notary_recheck_mismatches_total) and writes a dead-letter.v1 record (stage
 * notary-recheck) in the Kafka transaction that commits its offsets: each mismatch is reported
 * exactly once, however often the re-checker restarts. The entry stays in the log (it is
 * append-only); the alarm says which entry's root does not stand for its signed reads.
 */
export async function startRechecker(opts: {
  kafka: Kafka;
  serde: AvroSerde;
  discomId: string;
  verifier: Pick<BatchVerifier, 'check'>;
  /**
   * Share of the carried roots re-checked, 0–100: chosen per batch id by a keyed hash whose key
   * is drawn at this re-checker's start, so a gateway cannot predict which, and a batch
   * redelivered to this process (an aborted transaction) gets the same answer.
   */
  percent: number;
  logger: Logger;
  metrics: Registry;
}): Promise<Rechecker> {
  const { kafka, serde, discomId, logger } = opts;
  const groupId = `${RECHECK_GROUP_PREFIX}-${discomId}`;
  const batchesTopic = topicName(discomId, TOPICS.meterBatches);
  const deadLetterTopic = topicName(discomId, TOPICS.deadLetter);
  const batches = (opts.metrics.getSingleMetric(METRICS.notaryRecheckBatches) as Counter | undefined) ?? new Counter({ name: METRICS.notaryRecheckBatches, help: 'meter-batches records the notary re-checker looked at, by outcome', labelNames: ['discom', 'outcome'], registers: [opts.metrics] });
  const mismatches = (opts.metrics.getSingleMetric(METRICS.notaryRecheckMismatches) as Counter | undefined) ?? new Counter({ name: METRICS.notaryRecheckMismatches, help: 'Notarised batches whose carried root or reads did not re-check', labelNames: ['discom', 'code'], registers: [opts.metrics] });

  const sampleKey = randomBytes(32);
  const sampled = (batchId: string): boolean => opts.percent >= 100 || createHmac('sha256', sampleKey).update(batchId).digest().readUInt32BE(0) % 100 < opts.percent;
  const producer: Producer = kafka.producer({ transactionalId: groupId, idempotent: true, maxInFlightRequests: 1, allowAutoTopicCreation: false, createPartitioner: Partitioners.DefaultPartitioner });
  await producer.connect();
  const consumer: Consumer = kafka.consumer({ groupId, readUncommitted: false, maxBytesPerPartition: 16 * 1024 * 1024 });
  await consumer.connect();
  await consumer.subscribe({ topic: batchesTopic, fromBeginning: true });
  await consumer.run({
    autoCommit: false,
    eachBatch: async ({ batch, heartbeat }: EachBatchPayload) => {
      const letters = [];
      const outcomes: RecheckOutcome[] = [];
      const alarms: (() => void)[] = [];
      for (const message of batch.messages) {
        const outcome = await recheckMessage(message.value);
        outcomes.push(outcome);
        if (outcome.kind === 'mismatch') {
          const where = { topic: batchesTopic, partition: String(batch.partition), offset: message.offset };
          alarms.push(() => logger.error({ alarm: RECHECK_ALARM, discomId, code: outcome.code, batchId: outcome.batchId, ...outcome.details, ...where }, `ALARM ${RECHECK_ALARM}: ${outcome.message}`));
          letters.push(await deadLetterMessage(serde, { sourceId: `${batchesTopic}/${batch.partition}/${message.offset}`, discomId, stage: RECHECK_STAGE, code: outcome.code, message: outcome.message, rejectedAt: Date.now(), payload: message.value, context: { ...where, batchId: outcome.batchId, ...outcome.details } }));
        }
        await heartbeat();
      }
      const last = batch.messages[batch.messages.length - 1];
      if (!last) return;
      await commitInTransaction(producer, [{ topic: deadLetterTopic, messages: letters }], { consumerGroupId: groupId, positions: [{ topic: batchesTopic, partition: batch.partition, offset: (BigInt(last.offset) + 1n).toString() }] });
      // Counted and alarmed only once committed with their dead letters: an aborted transaction
      // is redelivered and reported then, so each mismatch is reported once.
      for (const outcome of outcomes) {
        batches.inc({ discom: discomId, outcome: outcome.kind === 'skipped' ? `skipped-${outcome.reason}` : outcome.kind });
        if (outcome.kind === 'mismatch') mismatches.inc({ discom: discomId, code: outcome.code });
      }
      for (const alarm of alarms) alarm();
    },
  });
  logger.info({ discomId, percent: opts.percent }, 'notary re-checker running');

  async function recheckMessage(value: Buffer | null): Promise<RecheckOutcome> {
    if (value === null) return { kind: 'skipped', reason: 'refused-by-notary' };
    let record: MeterBatchRecord;
    try {
      record = await serde.decode<MeterBatchRecord>(value);
    } catch (err) {
      if (err instanceof IesError && !err.retriable) return { kind: 'skipped', reason: 'refused-by-notary' };
      throw err;
    }
    if (record.batchRoot === null || record.batchRoot === undefined) return { kind: 'skipped', reason: 'no-root' };
    if (!sampled(record.batchId)) return { kind: 'skipped', reason: 'sample' };
    return recheckBatch(record, discomId, opts.verifier);
  }

  return {
    async stop() {
      await consumer.disconnect();
      await producer.disconnect();
    },
  };
}
