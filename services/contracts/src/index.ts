export { AGGREGATOR_FEED_TOPICS, TOPICS, aggregatorTopicName, isTopicSafeId, topicName, valueSubject, type TopicSpec, type TopicId } from './topics.js';
export { QUEUES, settlementStatementQueue } from './queues.js';
export { DISCOM_ID_PATTERN, DISCOM_ID_MAX_LENGTH, isDiscomId } from './tenant.js';
export { COMPOSITE_ID_MAX_LENGTH, ID_GRAMMAR, ID_MAX_LENGTH, ID_PATTERN, isSafeId } from './ids.js';
export { METRICS } from './metrics.js';
export { METER_DATA_WRITE } from './requests.js';
export { KAFKA_GRANTS, KAFKA_PRINCIPALS, withNodeId, type KafkaGrants, type KafkaPrincipal, type ServicePrincipal } from './kafka-acls.js';
