import type { Message } from 'kafkajs';
import { TOPICS } from '@ies/contracts';
import type { AvroSerde } from './avro.js';

/** One rejection, as every stage records it on `dead-letter.v1` (schemas-avro/dead-letter.v1.avsc). */
export interface DeadLetter {
  /** What was rejected: a record position (`topic/partition/offset`), a batch read (`batchId#index`), …; the record key. */
  readonly sourceId: string;
  readonly discomId: string;
  /** The stage that refused it (gateway, notary, loader, settlement-sides, …). */
  readonly stage: string;
  readonly code: string;
  readonly message: string;
  readonly rejectedAt: number;
  /** The refused bytes when they are worth keeping (≤ 1 MiB), else null. */
  readonly payload?: Buffer | null;
  readonly context?: Readonly<Record<string, string>>;
}

const MAX_PAYLOAD_BYTES = 1024 * 1024;

/** The Kafka message for the tenant's `dead-letter.v1`, keyed by source id. */
export async function deadLetterMessage(serde: AvroSerde, d: DeadLetter): Promise<Message & { key: string; value: Buffer }> {
  const payload = d.payload !== undefined && d.payload !== null && d.payload.length <= MAX_PAYLOAD_BYTES ? d.payload : null;
  const value = await serde.encode(d.discomId, TOPICS.deadLetter, { sourceId: d.sourceId, discomId: d.discomId, stage: d.stage, code: d.code, message: d.message, rejectedAt: d.rejectedAt, payload, context: d.context ?? {} });
  return { key: d.sourceId, value };
}
