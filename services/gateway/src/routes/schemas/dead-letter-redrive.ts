import { problemResponses } from '@ies/errors';
import { BEARER, INTEGER, READ_ERRORS, STRING, doc, open } from '@ies/http/openapi';

const BOOLEAN_FIELD = { type: 'boolean' } as const;

export const REDRIVE_DEAD_LETTER = doc({
  summary: 'Re-drive a dead-lettered head-end submission: its original signed bytes go through the intake again',
  description: 'For a submission the Kafka intake refused (stage submissions-consumer) once its cause is fixed (e.g. the head-end key registered): the kept bytes are submitted again as they were signed, judged at their original arrival time, so the batch is notarised once (its jti is the batch id: a second re-drive answers the first outcome, replayed). For the tenant\'s DISCOM participants (bearer token): the bytes are the head-end\'s, signed by it, so the re-drive adds nothing of the caller\'s.',
  tags: ['meter-data'],
  security: BEARER,
  body: { type: 'object', additionalProperties: false, required: ['sourceId'], properties: { sourceId: { type: 'string', minLength: 1, maxLength: 512, description: 'The dead letter (GET /v1/dead-letters sourceId)' } } },
  response: {
    200: {
      description: 'What the intake answered this time: accepted (202 with the batch), replayed (the answer of an earlier re-drive or submission) or refused again (its problem)',
      ...open({ sourceId: STRING, accepted: BOOLEAN_FIELD, replayed: BOOLEAN_FIELD, status: INTEGER, result: { type: 'object', additionalProperties: true } }, ['sourceId', 'accepted', 'replayed', 'status', 'result']),
    },
    ...problemResponses(400, 404, ...READ_ERRORS),
  },
});
