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

/** A stage lag over a minute's batches: mean and max in milliseconds, or null when not recorded. */
const LAG = { type: ['object', 'null'], additionalProperties: false, required: ['avg', 'max'], properties: { avg: INTEGER, max: INTEGER } } as const;

export const INGEST_ACTIVITY = doc({
  summary: "The tenant's intake per minute: batches and reads in its log, and dead letters by code",
  description: 'Buckets of one minute (UTC epoch ms of the minute start) over [from, to), at most 24 h; minutes without activity are absent. Default: the last hour.',
  tags: ['meter-data'],
  security: BEARER,
  querystring: {
    type: 'object',
    additionalProperties: false,
    properties: { discom: TENANT, from: { ...EPOCH_MS, description: 'Window start (UTC epoch ms; default to − 1 h)' }, to: { ...EPOCH_MS, description: 'Window end, exclusive (UTC epoch ms; default the next minute)' } },
  },
  response: {
    200: {
      description: 'Per-minute counts from the receipts and dead_letters tables',
      ...open({
        discomId: STRING, from: EPOCH_MS, to: EPOCH_MS, bucketMs: INTEGER,
        ingest: { type: 'array', items: open({
          minute: EPOCH_MS, batches: { type: 'integer', minimum: 0, description: 'Batches notarised (in the log) accepted in the minute' }, reads: { type: 'integer', minimum: 0, description: 'Reads in those batches' },
          loadedLagMs: { ...LAG, description: 'Milliseconds from intake to the receipt stored in ClickHouse (notarised, then loaded), mean and max over those batches; null when not recorded' },
          notarisedLagMs: { ...LAG, description: 'Milliseconds from intake to the notary sending the receipt (the Kafka timestamp of its receipts.v1 record), mean and max; null when not recorded' },
          storedLagMs: { ...LAG, description: 'Milliseconds from the notary sending the receipt to the loader storing it, mean and max over batches with both times; null when not recorded' },
        }, ['minute', 'batches', 'reads', 'loadedLagMs', 'notarisedLagMs', 'storedLagMs']) },
        notaryBacklog: { type: ['object', 'null'], additionalProperties: false, required: ['oldestAcceptedAt', 'waitedMs'], properties: { oldestAcceptedAt: EPOCH_MS, waitedMs: INTEGER }, description: 'The oldest accepted batch the notary has not yet receipted (null: none waits)' },
        rejections: { type: 'array', items: open({ minute: EPOCH_MS, code: STRING, rejections: { type: 'integer', minimum: 0, description: 'Dead letters of the code rejected in the minute' } }, ['minute', 'code', 'rejections']) },
      }, ['discomId', 'from', 'to', 'bucketMs', 'ingest', 'rejections', 'notaryBacklog']),
    },
    ...problemResponses(400, ...READ_ERRORS),
  },
});

export const DAY_LOADED = doc({
  summary: "A settlement day's reads as loaded: how many, when the last was received and when the last batch carrying one was loaded",
  description: 'The IST day\'s 15-minute blocks (00:00–24:00 IST). With the day\'s statements (GET /v1/statements?day=) this gives the loaded → settled lag. For the tenant\'s DISCOM participants.',
  tags: ['meter-data'],
  security: BEARER,
  querystring: {
    type: 'object',
    additionalProperties: false,
    required: ['day'],
    properties: { discom: TENANT, day: { type: 'string', pattern: '^\\d{4}-\\d{2}-\\d{2}$', description: 'The settlement day (IST), YYYY-MM-DD' } },
  },
  response: {
    200: {
      description: 'From the reads and receipts tables',
      ...open({
        discomId: STRING, day: STRING,
        reads: { type: 'integer', minimum: 0, description: 'Read rows of the day (every version kept)' },
        batches: { type: 'integer', minimum: 0, description: 'Batches those reads came in' },
        lastReceivedAt: { type: ['integer', 'null'], minimum: 0, description: 'When the last read of the day was received (UTC epoch ms; null: no read)' },
        lastLoadedAt: { type: ['integer', 'null'], minimum: 0, description: 'When the receipt of the last batch carrying a read of the day was stored by the loader (UTC epoch ms; null: not recorded)' },
      }, ['discomId', 'day', 'reads', 'batches', 'lastReceivedAt', 'lastLoadedAt']),
    },
    ...problemResponses(400, ...READ_ERRORS),
  },
});

export const RECEIPT_CHECKPOINTS = doc({
  summary: "The checkpoints a tenant's receipts were issued with, newest first (public, like checkpoints)",
  description: 'Each C2SP signed note as the notary signed it, with the last log entry it covers and when that entry was accepted. Verify each with the notary key; cosignatures are on GET /v1/log/witnesses.',
  tags: ['log'],
  querystring: {
    type: 'object',
    additionalProperties: false,
    required: ['discom'],
    properties: { discom: { type: 'string', minLength: 1, maxLength: 64, description: 'A tenant of this node' }, limit: { type: 'integer', minimum: 1, maximum: 200, default: 20 } },
  },
  response: {
    200: {
      description: 'Checkpoints, newest first',
      ...open({
        discomId: STRING,
        checkpoints: { type: 'array', items: open({ size: { type: 'integer', minimum: 1, description: 'Entries the checkpoint covers' }, rootHash: STRING, note: STRING, lastIndex: INTEGER, lastAcceptedAt: EPOCH_MS }, ['size', 'rootHash', 'note', 'lastIndex', 'lastAcceptedAt']) },
      }, ['discomId', 'checkpoints']),
    },
    ...problemResponses(400, 404),
  },
});

export const DEAD_LETTER_ORIGINAL = doc({
  summary: 'A dead letter with the original bytes kept with it and, when they are a record of this node\'s topics, that record decoded',
  description: 'A head-end submission the Kafka intake refused keeps its signed envelope (contentType, signature, body): it can be re-driven once fixed (POST /v1/dead-letters/redrive). A rejected read keeps no bytes (its batch is in the log).',
  tags: ['meter-data'],
  security: BEARER,
  querystring: { type: 'object', additionalProperties: false, required: ['sourceId'], properties: { discom: TENANT, sourceId: { type: 'string', minLength: 1, maxLength: 512 } } },
  response: {
    200: {
      description: 'The dead letters of that source (one per stage and code), newest first',
      ...open({
        discomId: STRING,
        deadLetters: { type: 'array', items: open({
          sourceId: STRING, stage: STRING, code: STRING, message: STRING, rejectedAt: EPOCH_MS, context: { type: 'object', additionalProperties: STRING },
          payloadBase64: { type: ['string', 'null'], description: 'The kept bytes, standard base64 (null: none kept)' },
          record: { type: ['object', 'null'], additionalProperties: true, description: 'The bytes decoded as an Avro record of this node (byte fields as UTF-8 text, or base64: prefixed); null when they are not one' },
        }, ['sourceId', 'stage', 'code', 'message', 'rejectedAt', 'context', 'payloadBase64', 'record']) },
      }, ['discomId', 'deadLetters']),
    },
    ...problemResponses(400, 404, ...READ_ERRORS),
  },
});
