import { problemResponses } from '@ies/errors';
import { STRING, TEXT, doc } from '@ies/http/openapi';

const SIZE = { description: 'Old size conflict: the size of the last checkpoint this witness cosigned for the origin, then a newline', content: { 'text/x.tlog.size': { schema: STRING } } };

export const ADD_CHECKPOINT = doc({
  summary: 'Cosign a checkpoint of a watched log (c2sp.org/tlog-witness add-checkpoint)',
  description: 'Body: `old <size>`, up to 63 base64 consistency-proof hashes, an empty line, the signed checkpoint. No authentication beyond the checkpoint signature (as the spec says).',
  tags: ['witness'],
  rawBody: { description: 'The add-checkpoint request (text)', content: { 'text/plain': { schema: STRING } } },
  response: {
    200: TEXT('cosignature/v1 signature lines by the witness key(s), each ending in a newline'),
    409: SIZE,
    ...problemResponses(400, 403, 404, 413, 422),
  },
});

export const WITNESS_VKEY = doc({
  summary: "The witness's cosignature/v1 verifier keys (type 0x04), newest first, one per line",
  tags: ['witness'],
  response: { 200: TEXT('vkeys, one per line') },
});

export const WITNESS_CHECKPOINT = doc({
  summary: 'The last checkpoint this witness cosigned for a log, with the log signature and its cosignature (monitoring)',
  tags: ['witness'],
  params: { type: 'object', required: ['originHash'], properties: { originHash: { type: 'string', pattern: '^[0-9a-f]{64}$', description: "Lowercase hex SHA-256 of the log's origin" } } },
  response: { 200: TEXT('A C2SP signed note'), ...problemResponses(400, 404) },
});
