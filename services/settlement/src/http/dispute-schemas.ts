import { problemResponses } from '@ies/errors';
import { ANY_OBJECT, BEARER, INTEGER, READ_ERRORS, SIGNED, SIGNED_WRITE_ERRORS, STRING, doc, open } from '@ies/http/openapi';
import { DECIDABLE_STATUSES, DISPUTE_STATUSES } from '../domain/dispute-lifecycle.js';
import { DISPUTE_TYPES } from '../domain/dispute-policy.js';

const ID_PARAMS = { type: 'object', required: ['id'], properties: { id: { type: 'string', pattern: '^DSP-[0-9a-f]{20}$' } } } as const;
const TENANT = { type: 'string', minLength: 1, maxLength: 64, description: "The DISCOM whose statement is disputed (default: the caller's own; a counterparty DISCOM names the other)" } as const;
const replayed = { 'idempotent-replayed': { type: 'string', enum: ['true'], description: 'The stored answer of an earlier request with the same jti' } };
const ADJUSTMENT = open({ counterparty: STRING, amountPaise: INTEGER }, ['counterparty', 'amountPaise']);
const DISPUTE_VIEW = open({
  disputeId: STRING, discomId: STRING, statementId: STRING, day: STRING, type: { type: 'string', enum: [...DISPUTE_TYPES] }, status: { type: 'string', enum: [...DISPUTE_STATUSES] },
  raisedBy: ANY_OBJECT, raisedAt: STRING, adjustments: { type: 'array', items: ADJUSTMENT }, decided: { type: 'array', nullable: true, items: ANY_OBJECT }, proven: ANY_OBJECT,
  appliedIn: { type: 'object', nullable: true, additionalProperties: true }, document: ANY_OBJECT,
}, ['disputeId', 'discomId', 'statementId', 'status', 'adjustments']);

export const RAISE_DISPUTE = doc({
  summary: 'Raise a dispute on lines of a calendar run statement (signed document ies.settlement.dispute/v1 with its evidence: read proofs, tlog proofs, receipts, absent reads)',
  tags: ['disputes'],
  security: SIGNED,
  rawBody: { description: 'The dispute document, byte for byte as signed', content: { 'application/json': { schema: open({ schema: STRING, statementId: STRING, type: { type: 'string', enum: [...DISPUTE_TYPES] }, lines: { type: 'array', items: ANY_OBJECT }, evidence: { type: 'array', items: ANY_OBJECT }, reason: STRING }, ['schema', 'statementId', 'type', 'lines', 'evidence', 'reason']) } } },
  response: {
    201: { description: 'The dispute, RAISED (or the existing one: the same document raised again)', headers: replayed, ...DISPUTE_VIEW },
    ...problemResponses(...SIGNED_WRITE_ERRORS, 414, 422),
  },
});

export const GET_DISPUTE = doc({
  summary: "A dispute with its history (every transition with the signed write that made it); for the statement DISCOM's desk and the raiser",
  tags: ['disputes'],
  security: BEARER,
  params: ID_PARAMS,
  querystring: { type: 'object', additionalProperties: false, properties: { discom: TENANT } },
  response: {
    200: { description: 'The dispute', ...open({ dispute: DISPUTE_VIEW, history: { type: 'array', items: ANY_OBJECT } }, ['dispute', 'history']) },
    ...problemResponses(400, ...READ_ERRORS, 404),
  },
});

export const LIST_DISPUTES = doc({
  summary: "The disputes on the DISCOM's statements of an IST day (its desk)",
  tags: ['disputes'],
  security: BEARER,
  querystring: { type: 'object', required: ['day'], additionalProperties: false, properties: { day: { type: 'string', pattern: '^\\d{4}-\\d{2}-\\d{2}$' } } },
  response: {
    200: { description: 'The disputes of the day', ...open({ discomId: STRING, day: STRING, disputes: { type: 'array', items: DISPUTE_VIEW } }, ['discomId', 'day', 'disputes']) },
    ...problemResponses(400, ...READ_ERRORS),
  },
});

export const DECIDE_DISPUTE = doc({
  summary: "A decision on a dispute, signed by the statement DISCOM's settlement desk: UNDER_REVIEW, then UPHELD (the next run applies it) or REJECTED",
  tags: ['disputes'],
  security: SIGNED,
  params: ID_PARAMS,
  rawBody: { description: 'The decision, byte for byte as signed', content: { 'application/json': { schema: open({ status: { type: 'string', enum: [...DECIDABLE_STATUSES] }, reason: { type: 'string', maxLength: 2000 }, decided: { type: 'array', description: 'UPHELD in part: the figure upheld for each disputed line, in order, between the stated and the claimed one', items: { type: 'object', required: ['amountPaise'], additionalProperties: false, properties: { amountPaise: { type: 'integer', minimum: 0 }, quantityWh: { type: 'integer', minimum: 0 } } } } }, ['status']) } } },
  response: {
    200: { description: 'The dispute after the decision (or already in that status)', headers: replayed, ...DISPUTE_VIEW },
    ...problemResponses(...SIGNED_WRITE_ERRORS, 404, 414, 422),
  },
});
