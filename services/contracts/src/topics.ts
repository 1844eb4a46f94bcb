/**
 * Topic catalogue: the wire names and how each topic is provisioned, defined once.
 * Names are contracts (docs/topics.md); never rename one without a migration note.
 * Every topic exists per tenant as `ies.<discom>.<name>`.
 */
export interface TopicSpec {
  /** Versioned name without the tenant prefix, e.g. `meter-batches.v1`. */
  readonly name: string;
  /** What the record key is; documented, and what partitioning preserves order by. */
  readonly key: string;
  readonly partitions: number;
  /** `compact` keeps the latest value per key forever (registry state). */
  readonly cleanupPolicy: 'delete' | 'compact';
  /** Retention for `delete` topics in ms; -1 keeps forever. */
  readonly retentionMs: number;
  /** Avro value schema file in schemas-avro/, or undefined while the topic has none yet. */
  readonly valueSchema?: string;
  /** Extra broker-side topic configs. */
  readonly configs?: Readonly<Record<string, string>>;
}

const DAY_MS = 24 * 60 * 60 * 1000;

export const TOPICS = {
  meterBatches: { name: 'meter-batches.v1', key: 'batchId', partitions: 6, cleanupPolicy: 'delete', retentionMs: 30 * DAY_MS, valueSchema: 'meter-batch.v1.avsc' },
  meterReads: { name: 'meter-reads.v1', key: 'meterId', partitions: 12, cleanupPolicy: 'delete', retentionMs: 7 * DAY_MS, valueSchema: 'meter-read.v1.avsc' },
  // The broker stamps arrival time, so the signature's iat is judged against when the
  // head-end handed the batch over, not when a (possibly lagging) consumer reads it.
  headendSubmissions: { name: 'headend-submissions.v1', key: 'batchId', partitions: 6, cleanupPolicy: 'delete', retentionMs: 7 * DAY_MS, valueSchema: 'headend-submission.v1.avsc', configs: { 'message.timestamp.type': 'LogAppendTime' } },
  // One partition: the log's order is the topic's order, and recovery reads it back in that order.
  receipts: { name: 'receipts.v1', key: 'batchId', partitions: 1, cleanupPolicy: 'delete', retentionMs: -1, valueSchema: 'receipt.v1.avsc' },
  drEvents: { name: 'dr-events.v1', key: 'eventId', partitions: 3, cleanupPolicy: 'delete', retentionMs: -1, valueSchema: 'dr-event.v1.avsc' },
  baselines: { name: 'baselines.v1', key: 'eventId', partitions: 3, cleanupPolicy: 'delete', retentionMs: 90 * DAY_MS, valueSchema: 'baseline.v1.avsc' },
  drPerformance: { name: 'dr-performance.v1', key: 'eventId', partitions: 3, cleanupPolicy: 'delete', retentionMs: -1, valueSchema: 'dr-performance.v1.avsc' },
  p2pTrades: { name: 'p2p-trades.v1', key: 'tradeId', partitions: 3, cleanupPolicy: 'delete', retentionMs: -1, valueSchema: 'p2p-trade.v1.avsc' },
  p2pAllocations: { name: 'p2p-allocations.v1', key: 'tradeId', partitions: 3, cleanupPolicy: 'delete', retentionMs: -1, valueSchema: 'p2p-allocation.v1.avsc' },
  // Signed side allocations addressed to this DISCOM by the other DISCOM of an inter-DISCOM trade.
  p2pSides: { name: 'p2p-sides.v1', key: 'tradeId', partitions: 3, cleanupPolicy: 'delete', retentionMs: -1, valueSchema: 'p2p-side.v1.avsc' },
  statements: { name: 'statements.v1', key: 'statementId', partitions: 1, cleanupPolicy: 'delete', retentionMs: -1, valueSchema: 'statement.v1.avsc' },
  // Every dispute transition (raised, each signed decision, applied by a run): the dispute's history.
  disputes: { name: 'disputes.v1', key: 'disputeId', partitions: 1, cleanupPolicy: 'delete', retentionMs: -1, valueSchema: 'dispute.v1.avsc' },
  registry: { name: 'registry.v1', key: 'entityKey', partitions: 1, cleanupPolicy: 'compact', retentionMs: -1, valueSchema: 'registry-entry.v1.avsc' },
  deadLetter: { name: 'dead-letter.v1', key: 'sourceId', partitions: 3, cleanupPolicy: 'delete', retentionMs: 30 * DAY_MS, valueSchema: 'dead-letter.v1.avsc' },
} as const satisfies Record<string, TopicSpec>;

export type TopicId = keyof typeof TOPICS;

/** `ies.<discom>.<name>`; the caller has validated the DISCOM id. */
export function topicName(discom: string, topic: TopicSpec): string {
  return `ies.${discom}.${topic.name}`;
}

/** Confluent TopicNameStrategy subject of a topic's value schema. */
export function valueSubject(discom: string, topic: TopicSpec): string {
  return `${topicName(discom, topic)}-value`;
}

/** The DR topics each aggregator gets its own copy of (records about its events only). */
export const AGGREGATOR_FEED_TOPICS = ['drEvents', 'baselines', 'drPerformance'] as const satisfies readonly TopicId[];

/** Topic ids become Kafka topic names: letters, digits, '.', '_' and '-' only. */
export function isTopicSafeId(id: string): boolean {
  return /^[A-Za-z0-9._-]{1,100}$/.test(id);
}

/**
 * `ies.<discom>.agg.<aggregatorId>.<name>`: an aggregator's own feed of a DR topic. The
 * aggregator's issued Kafka credential (the DR front door) has LITERAL READ on these topics
 * and PREFIXED READ on groups `agg.<discom>.<aggregatorId>.`: its records and nobody else's.
 */
export function aggregatorTopicName(discom: string, aggregatorId: string, topic: TopicSpec): string {
  return `ies.${discom}.agg.${aggregatorId}.${topic.name}`;
}
