import { problemResponses } from '@ies/errors';
import { ANY_OBJECT, BEARER, BOOLEAN, INTEGER, READ_ERRORS, STRING, doc, open } from '@ies/http/openapi';
import { REQUESTABLE_STATUSES } from '../statement-status.js';

const DAY_PATTERN = '^\\d{4}-\\d{2}-\\d{2}$';
const ID_PARAMS = { type: 'object', required: ['id'], properties: { id: { type: 'string', minLength: 1, maxLength: 400 } } } as const;
const SUMMARY = open({
  statementId: STRING, scope: ANY_OBJECT, day: STRING, version: INTEGER, status: STRING, complete: BOOLEAN, sha256: STRING,
  revises: { type: 'string', nullable: true }, lineCount: INTEGER, totals: ANY_OBJECT, updatedAt: STRING,
}, ['statementId', 'version', 'status', 'sha256', 'updatedAt']);

export const LIST_STATEMENTS = doc({
  summary: "The DISCOM's statements of an IST settlement day (day and DR event scopes), latest version first, with their status",
  tags: ['statements'],
  security: BEARER,
  querystring: { type: 'object', required: ['day'], additionalProperties: false, properties: { day: { type: 'string', pattern: DAY_PATTERN } } },
  response: {
    200: { description: 'The statements of the day', ...open({ discomId: STRING, day: STRING, statements: { type: 'array', items: SUMMARY } }, ['discomId', 'day', 'statements']) },
    ...problemResponses(400, ...READ_ERRORS),
  },
});

const statusHeaders = {
  etag: { type: 'string' },
  'x-ies-statement-status': { type: 'string' },
  'x-ies-statement-sha256': { type: 'string' },
};

export const GET_STATEMENT = doc({
  summary: 'One statement: canonical JSON (default), CSV (Accept: text/csv) or the compact JWS (Accept: application/jose)',
  tags: ['statements'],
  security: BEARER,
  params: ID_PARAMS,
  response: {
    200: {
      description: 'The signed statement in the negotiated representation; its status is in the headers',
      headers: statusHeaders,
      content: {
        'application/json': { schema: open({}, [], 'The canonical JSON, byte for byte the JWS payload') },
        'text/csv': { schema: STRING },
        'application/jose': { schema: STRING },
      },
    },
    ...problemResponses(400, ...READ_ERRORS, 404, 406, 414),
  },
});

export const RUN_STATEMENT = doc({
  summary: "Build (or re-evaluate) a statement now: one IST day's, or one DR event's. 202 with the run's job id",
  tags: ['statements'],
  security: BEARER,
  body: {
    type: 'object', additionalProperties: false,
    properties: { day: { type: 'string', pattern: DAY_PATTERN }, eventId: { type: 'string', minLength: 1, maxLength: 128 } },
    oneOf: [{ required: ['day'] }, { required: ['eventId'] }],
  },
  response: {
    202: { description: 'Queued', ...open({ jobId: STRING, discomId: STRING, scope: ANY_OBJECT }, ['jobId', 'discomId', 'scope']) },
    ...problemResponses(400, ...READ_ERRORS, 404, 413, 415),
  },
});

export const TRANSITION_STATEMENT = doc({
  summary: 'Release (FINAL) or contest (DISPUTED) a statement; a dispute ends FINAL (rejected) or SUPERSEDED by a revision',
  tags: ['statements'],
  security: BEARER,
  params: ID_PARAMS,
  body: { type: 'object', required: ['to'], additionalProperties: false, properties: { to: { type: 'string', enum: [...REQUESTABLE_STATUSES] }, reason: { type: 'string', maxLength: 2000 } } },
  response: {
    200: { description: 'The statement after the transition', ...SUMMARY },
    ...problemResponses(400, ...READ_ERRORS, 404, 409, 413, 414, 415),
  },
});
