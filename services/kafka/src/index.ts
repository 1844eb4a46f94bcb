export { createKafka, createIdempotentProducer, ACKS_ALL, type LogSink } from './client.js';
export { ensureTenantTopics, provisionTenant, requireTenantTopics, topicConfig, type EnsureTopicsResult } from './topics.js';
export { tenantAcls, topicsOf } from './acls.js';
export { AvroSerde, DEFAULT_SCHEMAS_DIR, type AvroSerdeOptions } from './avro.js';
export { kafkaReadiness, registryReadiness } from './readiness.js';
export { commitInTransaction, type ConsumedPosition } from './transaction.js';
export { deadLetterMessage, type DeadLetter } from './dead-letter.js';
export { provisionTenants } from './provision.js';
export { replayTopic, type ReplayedRecord } from './topic-replay.js';
