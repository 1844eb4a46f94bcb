import { problemResponses } from '@ies/errors';
import { ANY_OBJECT, BEARER, BOOLEAN, INTEGER, READ_ERRORS, SIGNED, SIGNED_WRITE_ERRORS, STRING, STRINGS, doc, open } from '@ies/http/openapi';
import { DIFF_REASONS } from '../domain/statement-diff.js';
import { REPORT_NAMES } from '../domain/statement-reports.js';
import { REQUESTABLE_STATUSES } from '../statement-status.js';

const DAY_PATTERN = '^\\d{4}-\\d{2}-\\d{2}$';
const ID_PARAMS = { type: 'object', required: ['id'], properties: { id: { type: 'string', minLength: 1, maxLength: 400 } } } as const;
const SUMMARY = open({
  statementId: STRING, scope: ANY_OBJECT, day: STRING, version: INTEGER, status: STRING, complete: BOOLEAN, sha256: STRING,
  revises: { type: 'object', nullable: true, description: 'The statement this version revises (its id and content sha256)', properties: { id: STRING, sha256: STRING } }, lineCount: INTEGER, totals: ANY_OBJECT, updatedAt: STRING,
  run: { type: 'string', description: 'The calendar run this statement is (absent outside the calendar)' }, cutoff: { type: 'string', description: "The run's data cut-off, ISO 8601" },
}, ['statementId', 'version', 'status', 'sha256', 'updatedAt']);
const replayed = { 'idempotent-replayed': { type: 'string', enum: ['true'], description: 'The stored answer of an earlier request with the same jti' } };
const RUN_NAME = { type: 'string', pattern: '^[A-Z][A-Z0-9_]{0,15}$' } as const;

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
  summary: "Build (or re-evaluate) a statement now: one IST day's (a calendar run when the DISCOM's pack has a calendar: `run`, default the latest due), or one DR event's. 202 with the run's job id",
  tags: ['statements'],
  security: BEARER,
  body: {
    type: 'object', additionalProperties: false,
    properties: { day: { type: 'string', pattern: DAY_PATTERN }, eventId: { type: 'string', minLength: 1, maxLength: 128 }, run: RUN_NAME },
    oneOf: [{ required: ['day'] }, { required: ['eventId'] }],
  },
  response: {
    202: {
      description: 'Queued',
      ...open({ jobId: STRING, discomId: STRING, scope: ANY_OBJECT, run: STRING, statementId: { type: 'string', description: "The run's statement id, to poll" }, cutoff: STRING, early: BOOLEAN }, ['jobId', 'discomId', 'scope']),
    },
    ...problemResponses(400, ...READ_ERRORS, 404, 409, 413, 415, 422),
  },
});

export const TRANSITION_STATEMENT = doc({
  summary: "Release (FINAL) or contest (DISPUTED) a statement (signed by the DISCOM's own key); a dispute ends FINAL (rejected) or SUPERSEDED by a revision",
  tags: ['statements'],
  security: SIGNED,
  params: ID_PARAMS,
  rawBody: { description: 'The transition, byte for byte as signed', content: { 'application/json': { schema: open({ to: { type: 'string', enum: [...REQUESTABLE_STATUSES] }, reason: { type: 'string', maxLength: 2000 } }, ['to']) } } },
  response: {
    200: { description: 'The statement after the transition (or already in that status)', headers: replayed, ...SUMMARY },
    ...problemResponses(...SIGNED_WRITE_ERRORS, 404, 414, 422),
  },
});

const LINE_FIGURES = { type: 'object', nullable: true, additionalProperties: false, properties: { quantityWh: { type: 'integer', nullable: true }, ratePaisePerKwh: { type: 'integer', nullable: true }, amountPaise: INTEGER, missingData: { type: 'string', nullable: true } } } as const;
const LINE_CHANGE = {
  type: 'object', additionalProperties: false,
  required: ['change', 'reason', 'kind', 'reference', 'payer', 'payee', 'before', 'after'],
  properties: {
    change: { type: 'string', enum: ['ADDED', 'REMOVED', 'CHANGED'] }, reason: { type: 'string', enum: [...DIFF_REASONS] }, kind: STRING, reference: STRING,
    intervalStartMs: { type: 'integer', nullable: true }, intervalEndMs: { type: 'integer', nullable: true }, meterId: { type: 'string', nullable: true },
    payer: STRING, payee: STRING, before: LINE_FIGURES, after: LINE_FIGURES,
  },
} as const;
const VERSION_REF = { type: 'object', additionalProperties: false, required: ['id', 'run'], properties: { id: STRING, run: { type: 'string', nullable: true } } } as const;

export const DIFF_STATEMENTS = doc({
  summary: 'What changed from one statement of a scope (`against`) to this one, line by line, each change with its reason (LATE_READ, REVISED_READ, POLICY, DISPUTE, ADJUSTMENT)',
  tags: ['statements'],
  security: BEARER,
  params: ID_PARAMS,
  querystring: { type: 'object', required: ['against'], additionalProperties: false, properties: { against: { type: 'string', minLength: 1, maxLength: 400 } } },
  response: {
    200: {
      description: 'The diff',
      type: 'object', additionalProperties: false,
      required: ['from', 'to', 'fromSha256', 'toSha256', 'lines', 'pending', 'netPositions', 'totals'],
      properties: {
        from: VERSION_REF, to: VERSION_REF, fromSha256: STRING, toSha256: STRING,
        lines: { type: 'array', items: LINE_CHANGE },
        pending: { type: 'object', additionalProperties: false, required: ['resolved', 'opened'], properties: { resolved: STRINGS, opened: STRINGS } },
        netPositions: { type: 'array', items: { type: 'object', additionalProperties: false, required: ['counterparty', 'netPaiseDelta'], properties: { counterparty: STRING, netPaiseDelta: INTEGER } } },
        totals: { type: 'object', additionalProperties: false, required: ['before', 'after'], properties: { before: ANY_OBJECT, after: ANY_OBJECT } },
      },
    },
    ...problemResponses(400, ...READ_ERRORS, 404, 414),
  },
});

export const STATEMENT_HISTORY = doc({
  summary: "A statement's status history; transitions asked for by a signed write keep that write (detached JWS and the body bytes it covers)",
  tags: ['statements'],
  security: BEARER,
  params: ID_PARAMS,
  response: {
    200: {
      description: 'The history, oldest first',
      ...open({
        statementId: STRING, status: STRING,
        history: { type: 'array', items: open({ status: STRING, sha256: STRING, at: INTEGER, by: STRING, reason: { type: 'string', nullable: true }, signed: open({ jws: STRING, body: { type: 'string', description: 'base64url of the exact bytes signed' }, kid: STRING }, ['jws', 'body', 'kid']) }, ['status', 'sha256', 'at', 'by']) },
      }, ['statementId', 'status', 'history']),
    },
    ...problemResponses(400, ...READ_ERRORS, 404, 414),
  },
});

export const STATEMENT_REPORT = doc({
  summary: "A desk's report of a statement: reconciliation (contracted vs metered vs allocated per trade and counterparty, deviations, shortfall penalties, DR offered vs delivered), positions (towards each other DISCOM) or pending (with their age at the run's cut-off); JSON or CSV",
  tags: ['statements'],
  security: BEARER,
  params: { type: 'object', required: ['id', 'name'], properties: { id: { type: 'string', minLength: 1, maxLength: 400 }, name: { type: 'string', enum: [...REPORT_NAMES] } } },
  response: {
    200: {
      description: 'The report (Accept: text/csv for its CSV)',
      content: {
        'application/json': { schema: open({ report: { type: 'string', enum: [...REPORT_NAMES] }, statementId: STRING, sha256: STRING, run: STRING }, ['report', 'statementId', 'sha256']) },
        'text/csv': { schema: { type: 'string', description: 'RFC 4180, one row per item' } },
      },
    },
    ...problemResponses(400, ...READ_ERRORS, 404, 406, 414),
  },
});
