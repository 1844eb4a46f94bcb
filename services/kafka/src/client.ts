import { Kafka, Partitioners, logLevel, type Consumer, type ConsumerConfig, type KafkaConfig, type LogEntry, type Producer } from 'kafkajs';
import { PARTITION_ASSIGNERS } from './assigner.js';
import { installProduceChecksum } from './crc32c.js';
import type { Config } from '@ies/config';
import { IesError } from '@ies/errors';

/** Minimal logger shape (pino's) so this package does not depend on a logger package. */
export interface LogSink {
  error(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
  info(obj: object, msg: string): void;
  debug(obj: object, msg: string): void;
}

// Before any client of this process sends its first record batch (crc32c.ts).
installProduceChecksum();

/** A kafkajs client whose consumers honour each member's subscription (see assigner.ts). */
class IesKafka extends Kafka {
  override consumer(config: ConsumerConfig): Consumer {
    return super.consumer({ partitionAssigners: PARTITION_ASSIGNERS, ...config });
  }
}

/**
 * A kafkajs client for the configured cluster, logging through `log`, authenticated as the
 * config's principal (SASL/SCRAM; the cluster refuses anonymous clients).
 */
export function createKafka(config: Config, log: LogSink, overrides: Partial<KafkaConfig> = {}): Kafka {
  const sasl = config.kafka.sasl;
  if (sasl === undefined) throw new IesError('IES_ERR_CONFIG_INVALID', 'no Kafka principal: the service passes loadConfig(env, { principal }) or IES_KAFKA_USERNAME names one');
  return new IesKafka({
    clientId: config.kafka.clientId,
    brokers: [...config.kafka.brokers],
    sasl: { mechanism: sasl.mechanism, username: sasl.username, password: sasl.password } as KafkaConfig['sasl'],
    logLevel: logLevel.WARN,
    logCreator: () => (entry: LogEntry) => {
      const { message, ...rest } = entry.log;
      const obj = { kafka: entry.namespace, ...rest };
      // Bounded retries are deliberate (see createIdempotentProducer); not worth a warning per start.
      if (message.startsWith('Limiting retries for the idempotent producer')) log.debug(obj, message);
      else if (entry.level === logLevel.ERROR) log.error(obj, message);
      else if (entry.level === logLevel.WARN) log.warn(obj, message);
      else if (entry.level === logLevel.INFO) log.info(obj, message);
      else log.debug(obj, message);
    },
    // Bounded: a send gives up within about 2 minutes (9 attempts × (10 s + ≤ 5 s backoff)),
    // well inside the ingest claim's PENDING window (IES_INGEST_PENDING_TTL_SECONDS).
    requestTimeout: 10_000,
    retry: { initialRetryTime: 100, maxRetryTime: 5_000, retries: 8 },
    ...overrides,
  });
}

/**
 * The producer every write path uses: idempotent (no duplicates from retries), acks=all
 * on each send, one request in flight so retries can never reorder a partition, and the
 * Java client's murmur2 partitioner so keys land where Java/Go consumers expect them.
 * Retries are bounded (kafkajs warns about that for idempotent producers): a write that
 * cannot be acknowledged fails back to its caller, which answers 503 and is retried with
 * the same batch id; batch ids make the retry idempotent end to end.
 */
export function createIdempotentProducer(kafka: Kafka): Producer {
  return kafka.producer({
    idempotent: true,
    maxInFlightRequests: 1,
    allowAutoTopicCreation: false,
    createPartitioner: Partitioners.DefaultPartitioner,
  });
}

/** acks=all: a send resolves only once every in-sync replica has the record. */
export const ACKS_ALL = -1;
