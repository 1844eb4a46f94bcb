import { problemResponses } from '@ies/errors';
import { BEARER, BEARER_OR_CAPABILITY, INTEGER, READ_ERRORS, STRING, STRINGS, TEXT, doc, open, pending } from '@ies/http/openapi';

const TENANT = { type: 'string', minLength: 1, maxLength: 64, description: "Another hosted tenant's log (public by design)" };
const RECEIPT = open({
  receipt: open({ v: INTEGER, logIndex: INTEGER, checkpoint: STRING, inclusionProof: STRINGS }, ['logIndex', 'checkpoint', 'inclusionProof']),
  jws: { type: 'string', description: "The notary's compact JWS over the receipt (canonical JSON)" },
  witnessed: {
    description: "Under the tenant's witness policy, once a witnessed checkpoint covers the receipt: that cosigned checkpoint and the consistency proof from the receipt's checkpoint to it",
    ...open({ checkpoint: { type: 'string', description: 'The latest witnessed checkpoint (signed note with cosignature/v1 lines)' }, consistency: STRINGS }, ['checkpoint', 'consistency']),
  },
}, ['receipt', 'jws']);

export const RECEIPT_ROUTE = doc({
  summary: 'The notary receipt of a batch (202 while it is being notarised)',
  tags: ['meter-data'],
  security: BEARER_OR_CAPABILITY,
  params: { type: 'object', properties: { batchId: { type: 'string', minLength: 1, maxLength: 300, description: '<head-end id>:<jti>, as in receiptUrl' } }, required: ['batchId'] },
  response: {
    200: { description: 'The receipt: log index, inclusion proof, checkpoint and the notary JWS', ...RECEIPT },
    202: pending('Accepted; not appended to the log yet', { batchId: STRING, status: { type: 'string', enum: ['PENDING'] }, detail: STRING }, ['batchId', 'status']),
    ...problemResponses(400, ...READ_ERRORS, 404, 414),
  },
});

export const READ_PROOF = doc({
  summary: "A read's canonical bytes, its path in the batch tree and the batch receipt",
  tags: ['meter-data'],
  security: BEARER_OR_CAPABILITY,
  querystring: { type: 'object', required: ['meterId', 'blockStart', 'channel'], properties: { meterId: { type: 'string', minLength: 1 }, blockStart: { type: 'string', minLength: 1, description: 'ISO 8601 date-time of the block start' }, channel: { type: 'string', enum: ['import', 'export', 'IMPORT', 'EXPORT'] }, batchId: { type: 'string', description: 'A particular version; the latest when absent' } } },
  response: {
    200: {
      description: 'The proof: verify with the notary key alone',
      ...open({
        read: open({ discomId: STRING, meterId: STRING, blockStart: STRING, channel: STRING, wh: INTEGER, validationStatus: STRING, source: STRING }, ['meterId', 'blockStart', 'channel', 'wh']),
        indexInBatch: INTEGER, batchPath: STRINGS, receipt: RECEIPT,
      }, ['read', 'indexInBatch', 'batchPath', 'receipt']),
    },
    202: pending('The read is stored; its batch is not notarised yet', { batchId: STRING, status: { type: 'string', enum: ['PENDING'] }, detail: STRING }, ['batchId', 'status']),
    ...problemResponses(400, ...READ_ERRORS, 404),
  },
});

export const CHECKPOINT = doc({
  summary: "The latest signed checkpoint (C2SP signed note), or the one of ?size=; ?discom= for another hosted tenant's log",
  tags: ['log'],
  security: BEARER,
  querystring: { type: 'object', properties: { size: { type: 'integer', minimum: 1 }, discom: TENANT } },
  response: { 200: TEXT('A C2SP signed note'), ...problemResponses(400, ...READ_ERRORS, 404) },
});

export const CONSISTENCY = doc({
  summary: "Consistency proof between two tree sizes; ?discom= for another hosted tenant's log (public, as its tiles are)",
  tags: ['log'],
  security: BEARER,
  querystring: { type: 'object', required: ['first', 'second'], properties: { first: { type: 'integer', minimum: 0 }, second: { type: 'integer', minimum: 0 }, discom: TENANT } },
  response: {
    200: { description: 'RFC 6962 consistency proof (standard base64 hashes)', ...open({ first: INTEGER, second: INTEGER, proof: STRINGS }, ['first', 'second', 'proof']) },
    ...problemResponses(400, ...READ_ERRORS, 404),
  },
});

export const LOG_KEY = doc({
  summary: "The notary's note verifier key(s), newest first, one per line; ?discom= for another hosted tenant's; ?type=ml-dsa-44 for its post-quantum keys",
  tags: ['log'],
  security: BEARER,
  querystring: { type: 'object', properties: { discom: TENANT, type: { type: 'string', enum: ['ed25519', 'ml-dsa-44'], default: 'ed25519', description: 'Ed25519 vkeys (type 0x01), or ML-DSA-44 vkeys (type 0x06, c2sp.org/tlog-cosignature)' } } },
  response: { 200: TEXT('Note verifier keys, one per line'), ...problemResponses(400, ...READ_ERRORS, 404) },
});

const WITNESS_STATUS = open({
  witness: STRING, url: STRING,
  cosignedSize: { type: ['integer', 'null'] }, cosignedAt: { type: ['string', 'null'] },
  refusals: { type: 'object', additionalProperties: { type: 'integer' }, description: 'Refusals by code since the log began (INCONSISTENT: a fork alert)' },
  lastRefusal: { type: ['object', 'null'], additionalProperties: true },
}, ['witness', 'url', 'cosignedSize', 'refusals']);

export const LOG_WITNESSES = doc({
  summary: "The log's witness policy, its latest witnessed checkpoint and each witness's last cosignature or refusal; ?discom= for another hosted tenant's",
  tags: ['log'],
  security: BEARER,
  querystring: { type: 'object', properties: { discom: TENANT } },
  response: {
    200: {
      description: 'Witnessing of the log (c2sp.org/tlog-witness)',
      ...open({
        discomId: STRING,
        policy: open({ quorum: INTEGER, witnesses: { type: 'array', items: open({ name: STRING, url: STRING, vkey: STRING }, ['name', 'url', 'vkey']) } }, ['quorum', 'witnesses']),
        witnessed: { type: ['object', 'null'], additionalProperties: true, properties: { size: INTEGER, checkpoint: STRING } },
        witnesses: { type: 'array', items: WITNESS_STATUS },
      }, ['discomId', 'policy', 'witnessed', 'witnesses']),
    },
    ...problemResponses(400, ...READ_ERRORS, 404),
  },
});

const PENDING_BATCH = pending('Accepted; not appended to the log yet', { batchId: STRING, status: { type: 'string', enum: ['PENDING'] }, detail: STRING }, ['batchId', 'status']);

export const BATCH_TLOG_PROOF = doc({
  summary: 'The batch\'s log entry as a c2sp.org/tlog-proof@v1 file, in the latest witnessed checkpoint that covers it (202 while it is being notarised)',
  tags: ['meter-data', 'log'],
  security: BEARER_OR_CAPABILITY,
  params: RECEIPT_ROUTE.params,
  response: { 200: TEXT('c2sp.org/tlog-proof@v1 (extra: the log entry, docs/notary-formats.md)'), 202: PENDING_BATCH, ...problemResponses(400, ...READ_ERRORS, 404, 414) },
});

export const READ_TLOG_PROOF = doc({
  summary: "A read's proof as a c2sp.org/tlog-proof@v1 file: its batch path in the extension, the batch entry's inclusion in the latest witnessed checkpoint",
  tags: ['meter-data', 'log'],
  security: BEARER_OR_CAPABILITY,
  querystring: READ_PROOF.querystring,
  response: { 200: TEXT('c2sp.org/tlog-proof@v1 (extra: the log entry, the read and its batch path)'), 202: pending('The read is stored; its batch is not notarised yet', { batchId: STRING, status: { type: 'string', enum: ['PENDING'] }, detail: STRING }, ['batchId', 'status']), ...problemResponses(400, ...READ_ERRORS, 404) },
});

// The tiled log (c2sp.org/tlog-tiles): public by design, no credential, for any log client.
const DISCOM_PARAM = { type: 'object', required: ['discom'], properties: { discom: { type: 'string', minLength: 1, maxLength: 64, description: 'A DISCOM hosted by this node' } } };
const BINARY = (description: string) => ({ description, content: { 'application/octet-stream': { schema: { type: 'string', format: 'binary' } } } });

export const TLOG_CHECKPOINT = doc({
  summary: "A tenant's tiled log: the latest signed checkpoint (c2sp.org/tlog-checkpoint)",
  description: 'Public by design. Its origin is the log prefix without scheme. Cached for at most a few seconds.',
  tags: ['log'],
  security: [],
  params: DISCOM_PARAM,
  response: { 200: TEXT('A C2SP signed note'), ...problemResponses(400, 404, 503) },
});

export const TLOG_TILE = doc({
  summary: "A tenant's tiled log: a Merkle tile tile/<L>/<N>[.p/<W>] or an entry bundle tile/entries/<N>[.p/<W>] (c2sp.org/tlog-tiles)",
  description: 'Public by design. <N> in the x001/x234/067 form; .p/<W> for a partial tile of W (1–255) hashes or entries. Immutable: cached for a year. 404 for a tile the latest checkpoint does not cover.',
  tags: ['log'],
  security: [],
  params: { type: 'object', required: ['discom', '*'], properties: { discom: DISCOM_PARAM.properties.discom, '*': { type: 'string', description: '<L>/<N>[.p/<W>] or entries/<N>[.p/<W>]' } } },
  response: { 200: BINARY('256 hashes of 32 bytes (fewer in a partial tile), or entries each with a big-endian uint16 length prefix'), ...problemResponses(400, 404, 503) },
});
