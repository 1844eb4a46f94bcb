import type { ClickHouseClient } from '@ies/clickhouse';
import type { Kafka } from 'kafkajs';
import type { AvroSerde, LogSink } from '@ies/kafka';
import type { BatchVerifier } from '@ies/registry/verify-batch';
import type { LoaderMetrics } from './metrics.js';
import type { BackoffPolicy } from './retry.js';
import type { Sink } from './sink.js';

/** Replicas share one consumer group, so each record is loaded by one of them. */
export const LOADER_GROUP = 'ies-loader';

export interface LoaderOptions {
  readonly groupId: string;
  /** Insert once this many rows are buffered (ClickHouse wants large, rare inserts)… */
  readonly maxRows: number;
  /** …or once the oldest buffered row is this old. */
  readonly maxDelayMs: number;
  /** INSERTs running at once (the service: IES_LOADER_INSERTS_IN_FLIGHT); ClickHouse 18.16 parses one INSERT on one core. */
  readonly maxInFlightInserts: number;
  /** Backoff between attempts while ClickHouse does not answer. */
  readonly retry: BackoffPolicy;
  /** How long stop() keeps trying to store what it has before leaving it to redelivery. */
  readonly stopTimeoutMs: number;
}

export const DEFAULT_LOADER_OPTIONS: LoaderOptions = Object.freeze({
  groupId: LOADER_GROUP,
  maxRows: 500_000,
  maxDelayMs: 1_000,
  maxInFlightInserts: 2,
  retry: Object.freeze({ initialMs: 250, maxMs: 10_000 }),
  stopTimeoutMs: 15_000,
});

export interface LoaderDeps {
  kafka: Kafka;
  serde: AvroSerde;
  /** Bound to the database the migrations created. */
  clickhouse: ClickHouseClient;
  tenants: readonly string[];
  /**
   * Re-verifies each meter-batches.v1 record (head-end signature, registry state, reads)
   * before its reads may be stored; a record that fails becomes a dead letter instead.
   */
  batchVerifier: Pick<BatchVerifier, 'check'>;
  /** Topic → table mapping; SINKS unless a test or benchmark narrows it. */
  sinks?: readonly Sink[];
  log: LogSink;
  metrics?: LoaderMetrics;
  options?: Partial<LoaderOptions>;
}
