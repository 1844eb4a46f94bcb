import { problemResponses } from '@ies/errors';
import { BEARER, INTEGER, READ_ERRORS, SIGNED, SIGNED_BODY_NOTE, SIGNED_WRITE_ERRORS, STRING, STRINGS, doc, open } from '@ies/http/openapi';

const replayed = { 'idempotent-replayed': { type: 'string', enum: ['true'], description: 'The stored answer of an earlier request with the same jti (without the secret: it is returned once)' } };
const USERNAME = { type: 'object', required: ['username'], properties: { username: { type: 'string', description: 'The credential\'s SASL user name (fulfillment:saslUsername)' } } };

/** DEG DatasetFulfillment v1.1 `KafkaConsumerCredentials` (fulfillment:streamConnection), with the IES extensions. */
const KAFKA_CONSUMER_CREDENTIALS = open({
  '@type': { type: 'string', enum: ['KafkaConsumerCredentials'] },
  'fulfillment:bootstrapServers': { type: 'string', description: 'host:port list, comma-separated (bootstrap.servers)' },
  'fulfillment:topicName': { type: 'string', description: 'The aggregator\'s DR events feed; all its feed topics are in ies:topicNames' },
  'fulfillment:consumerGroupId': { type: 'string', description: 'A group id the credential may use (any id under ies:consumerGroupPrefix is allowed)' },
  'fulfillment:saslMechanism': { type: 'string', enum: ['SCRAM-SHA-512'] },
  'fulfillment:saslUsername': STRING,
  'fulfillment:saslPassword': { type: 'string', description: 'The secret, in the first answer only: the node keeps no copy (Kafka keeps its salted SCRAM hash)' },
  'fulfillment:schemaRegistryUrl': { type: 'string', description: 'The credential\'s own read-only, Confluent-compatible view of the registry (HTTP Basic with saslUsername and saslPassword): its feeds\' subjects and schema ids only (docs/topics.md)' },
  'fulfillment:startOffset': { type: 'string', enum: ['earliest'] },
  'fulfillment:credentialExpiresAt': { type: 'string', format: 'date-time', description: 'After this instant the node deletes the user and its ACLs; ask for a new credential before it' },
  'ies:topicNames': STRINGS,
  'ies:consumerGroupPrefix': STRING,
  'ies:securityProtocol': { type: 'string', enum: ['SASL_PLAINTEXT', 'SASL_SSL'] },
  'ies:valueFormat': { type: 'string', enum: ['AVRO_CONFLUENT_WIRE'] },
  'ies:isolationLevel': { type: 'string', enum: ['read_committed'] },
}, ['@type', 'fulfillment:bootstrapServers', 'fulfillment:topicName', 'fulfillment:consumerGroupId', 'fulfillment:saslMechanism', 'fulfillment:saslUsername', 'fulfillment:schemaRegistryUrl', 'fulfillment:startOffset', 'fulfillment:credentialExpiresAt'], 'DEG KafkaConsumerCredentials (DatasetFulfillment v1.1 streamConnection)');

const CREDENTIAL_VIEW = open({
  username: STRING, discomId: STRING, aggregatorId: STRING, topics: STRINGS, groupPrefix: STRING,
  issuedAt: { type: 'integer', description: 'UTC epoch ms' }, expiresAt: INTEGER, issuedBy: STRING,
}, ['username', 'discomId', 'aggregatorId', 'topics', 'groupPrefix', 'issuedAt', 'expiresAt']);

export const ISSUE_KAFKA_CREDENTIAL = doc({
  summary: 'Issue the calling aggregator a Kafka consumer credential for its own DR feed topics (signed)',
  description: `A SCRAM-SHA-512 user allowed to READ only the aggregator's own feed topics of its tenant and groups under its prefix, expiring after ttlSeconds (default IES_DR_KAFKA_CREDENTIAL_TTL_SECONDS). The secret is in this answer only; a replay of the same signed request answers the same credential without it. 404 when the node issues no credentials (IES_DR_KAFKA_ISSUER unset). ${SIGNED_BODY_NOTE}`,
  tags: ['dr'],
  security: SIGNED,
  rawBody: { description: 'The request, byte for byte as signed', content: { 'application/json': { schema: open({ ttlSeconds: { type: 'integer', minimum: 60 } }) } } },
  response: {
    201: { description: 'Issued', headers: replayed, ...KAFKA_CONSUMER_CREDENTIALS },
    ...problemResponses(...SIGNED_WRITE_ERRORS, 404, 422),
  },
});

export const REVOKE_KAFKA_CREDENTIAL = doc({
  summary: 'Revoke a Kafka credential (signed by its aggregator or the DISCOM): its ACLs, then its SCRAM user, are deleted',
  description: `Signed over the (possibly empty) body like any signed write. ${SIGNED_BODY_NOTE}`,
  tags: ['dr'],
  security: SIGNED,
  params: USERNAME,
  rawBody: { description: 'An empty JSON object, byte for byte as signed', content: { 'application/json': { schema: open({}) } } },
  response: {
    200: { description: 'Revoked', headers: replayed, ...open({ username: STRING, revoked: { type: 'boolean' } }, ['username', 'revoked']) },
    ...problemResponses(...SIGNED_WRITE_ERRORS, 404, 414),
  },
});

export const LIST_KAFKA_CREDENTIALS = doc({
  summary: 'Kafka credentials in force: the caller\'s own (aggregator) or the tenant\'s (DISCOM); never their secrets',
  description: '404 when the node issues no credentials (IES_DR_KAFKA_ISSUER unset).',
  tags: ['dr'],
  security: BEARER,
  response: { 200: { description: 'The credentials', ...open({ credentials: { type: 'array', items: CREDENTIAL_VIEW } }, ['credentials']) }, ...problemResponses(...READ_ERRORS, 404) },
});
