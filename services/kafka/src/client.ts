import { Kafka, logLevel, type KafkaConfig, type LogEntry, type Producer } from 'kafkajs';
import type { Config } from '@ies/config';

/** Minimal logger shape (pino's) so this package does not depend on a logger package. */
export interface LogSink {
  error(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
  info(obj: object, msg: string): void;
  debug(obj: object, msg: string): void;
}

/** A kafkajs client for the configured cluster, logging through `log`. */
export function createKafka(config: Config, log: LogSink, overrides: Partial<KafkaConfig> = {}): Kafka {
  return new Kafka({
    clientId: config.kafka.clientId,
    brokers: [...config.kafka.brokers],
    logLevel: logLevel.WARN,
    logCreator: () => (entry: LogEntry) => {
      const { message, ...rest } = entry.log;
      const obj = { kafka: entry.namespace, ...rest };
      if (entry.level === logLevel.ERROR) log.error(obj, message);
      else if (entry.level === logLevel.WARN) log.warn(obj, message);
      else if (entry.level === logLevel.INFO) log.info(obj, message);
      else log.debug(obj, message);
    },
    retry: { initialRetryTime: 100, retries: 8 },
    ...overrides,
  });
}

/**
 * The producer every write path uses: idempotent (no duplicates from retries), acks=all
 * on each send, and one request in flight so retries can never reorder a partition.
 */
export function createIdempotentProducer(kafka: Kafka): Producer {
  return kafka.producer({ idempotent: true, maxInFlightRequests: 1, allowAutoTopicCreation: false });
}

/** acks=all: a send resolves only once every in-sync replica has the record. */
export const ACKS_ALL = -1;
