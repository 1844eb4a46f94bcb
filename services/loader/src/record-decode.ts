import type { KafkaMessage } from 'kafkajs';
import { IesError, isIesError } from '@ies/errors';
import type { AvroSerde, LogSink } from '@ies/kafka';
import { undecodableRow, type DeadLetterRow } from './domain/rows.js';

/** A faster decoder for some records of a topic; undefined leaves the record to AvroSerde. */
export interface RecordDecoder {
  decode(value: Buffer): Promise<unknown>;
}

/** Dead letters keep the refused bytes when they are small enough to inspect later. */
const MAX_KEPT_PAYLOAD = 1024 * 1024;

/**
 * A record's decoded value, or the dead letter that stands for it when it cannot be
 * decoded for good. A retriable failure (the schema registry down) is thrown, so kafkajs
 * retries the record.
 */
export async function decodeRecord(serde: AvroSerde, tenant: string, sourceId: string, message: KafkaMessage, log: LogSink, fast?: RecordDecoder): Promise<{ value: unknown } | { deadLetter: DeadLetterRow }> {
  try {
    if (message.value === null) throw new IesError('IES_ERR_AVRO_DECODE', `record ${sourceId} has no value`);
    const value = fast === undefined ? undefined : await fast.decode(message.value);
    return { value: value ?? (await serde.decode(message.value)) };
  } catch (err) {
    if (!isIesError(err) || err.retriable) throw err;
    log.error({ sourceId, code: err.code, err: err.message }, 'record cannot be decoded; stored as a dead letter');
    const payload = message.value !== null && message.value.length <= MAX_KEPT_PAYLOAD ? message.value : null;
    return { deadLetter: undecodableRow(tenant, sourceId, err.code, err.message, payload, Number(message.timestamp)) };
  }
}
