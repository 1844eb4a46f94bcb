import { problemResponses } from '@ies/errors';
import { BEARER, INTEGER, READ_ERRORS, STRING, doc, open } from '@ies/http/openapi';

const ID = { type: 'string', minLength: 1, maxLength: 128 };
const EPOCH_MS = { type: 'integer', minimum: 0, description: 'UTC epoch milliseconds' };
const NULLABLE_STRING = { type: ['string', 'null'] };
const TENANT = { type: 'string', minLength: 1, maxLength: 64, description: "The caller's own DISCOM (another tenant's is refused, 403)" };

const DEAD_LETTER = open({
  sourceId: { type: 'string', description: 'What was rejected: <batch id>#<read index>, a submission or a record' },
  stage: { type: 'string', description: 'Where it was rejected (gateway, notary, loader, …)' },
  code: { type: 'string', description: 'The stable reason code (docs/errors.md)' },
  message: STRING,
  rejectedAt: EPOCH_MS,
  batchId: NULLABLE_STRING,
  meterId: NULLABLE_STRING,
  context: { type: 'object', additionalProperties: STRING, description: 'Where in the input (batchId, index, path, meterId, …)' },
  payloadBytes: { type: 'integer', minimum: 0, description: 'Size of the rejected bytes kept with the dead letter' },
}, ['sourceId', 'stage', 'code', 'message', 'rejectedAt', 'batchId', 'meterId', 'context', 'payloadBytes']);

export const LIST_DEAD_LETTERS = doc({
  summary: "The tenant's dead letters (rejected input with its reason), newest first, searchable by stage, code, head-end and time",
  tags: ['meter-data'],
  security: BEARER,
  querystring: {
    type: 'object',
    additionalProperties: false,
    properties: {
      discom: TENANT,
      stage: { type: 'string', minLength: 1, maxLength: 64 },
      code: { type: 'string', minLength: 1, maxLength: 128 },
      headEndId: ID,
      from: { ...EPOCH_MS, description: 'Rejected at or after (UTC epoch ms)' },
      to: { ...EPOCH_MS, description: 'Rejected before (UTC epoch ms)' },
      limit: { type: 'integer', minimum: 1, maximum: 500, default: 100 },
    },
  },
  response: {
    200: {
      description: 'Dead letters as the loader stored them from dead-letter.v1',
      ...open({ discomId: STRING, deadLetters: { type: 'array', items: DEAD_LETTER }, truncated: { type: 'boolean', description: 'More match than limit' } }, ['discomId', 'deadLetters', 'truncated']),
    },
    ...problemResponses(400, ...READ_ERRORS),
  },
});

const HEAD_END = open({
  headEndId: STRING,
  name: NULLABLE_STRING,
  registered: { type: 'boolean', description: 'A HEADEND participant of the tenant in the registry' },
  activeKeys: INTEGER,
  batches: { type: 'integer', minimum: 0, description: 'Batches in the log' },
  lastBatch: {
    type: ['object', 'null'],
    additionalProperties: true,
    required: ['batchId', 'acceptedAt', 'readCount', 'logIndex'],
    properties: { batchId: STRING, acceptedAt: EPOCH_MS, readCount: { type: 'integer', minimum: 0, description: 'Reads in the batch' }, logIndex: INTEGER },
  },
}, ['headEndId', 'name', 'registered', 'activeKeys', 'batches', 'lastBatch']);

export const LIST_HEAD_ENDS = doc({
  summary: "The tenant's head-ends (registered, or seen in its log) with their last notarised batch",
  tags: ['meter-data'],
  security: BEARER,
  querystring: { type: 'object', additionalProperties: false, properties: { discom: TENANT } },
  response: {
    200: { description: 'Head-ends by id', ...open({ discomId: STRING, headEnds: { type: 'array', items: HEAD_END } }, ['discomId', 'headEnds']) },
    ...problemResponses(400, ...READ_ERRORS),
  },
});
