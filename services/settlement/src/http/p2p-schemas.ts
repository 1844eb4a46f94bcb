import { problemResponses } from '@ies/errors';
import { ANY_OBJECT, BEARER, INTEGER, READ_ERRORS, SIGNED, SIGNED_BODY_NOTE, SIGNED_WRITE_ERRORS, STRING, STRINGS, doc, open, pending } from '@ies/http/openapi';

const TRADE_ID = { type: 'object', properties: { tradeId: { type: 'string', minLength: 1, maxLength: 400, description: '<transactionId>/<commitmentId>, URL-encoded (%2F)' } }, required: ['tradeId'] } as const;
const TRADE_STATES = ['CONFIRMED', 'CURTAILED', 'CANCELLED', 'ALLOCATED', 'SETTLED'];
const replayed = { 'idempotent-replayed': { type: 'string', enum: ['true'], description: 'The stored answer of an earlier request with the same jti' } };

const DEG_MESSAGE = open({
  context: open({ action: { type: 'string', enum: ['confirm', 'on_confirm', 'update'] }, transactionId: STRING, messageId: STRING, timestamp: STRING }, ['action', 'transactionId']),
  message: open({ contract: open({ commitments: { type: 'array', items: ANY_OBJECT } }) }, ['contract']),
}, ['context', 'message'], 'A DEG (Beckn) confirm, on_confirm or update of a P2P energy trade');

const TRADES_ANSWER = open({
  action: STRING,
  trades: { type: 'array', items: open({ tradeId: STRING, discomId: STRING, state: STRING, revision: INTEGER, outcome: STRING }, ['tradeId', 'discomId', 'state', 'revision', 'outcome']) },
}, ['action', 'trades']);

export const LODGE_TRADE = doc({
  summary: 'Hand in a DEG confirm / on_confirm / update of a P2P trade (signed by the trading platform)',
  description: `Signed by a registered PLATFORM that holds the trading consent of every hosted meter it binds. ${SIGNED_BODY_NOTE}`,
  tags: ['p2p'],
  security: SIGNED,
  rawBody: { description: 'The DEG message, byte for byte as signed', content: { 'application/json': { schema: DEG_MESSAGE } } },
  response: {
    200: { description: 'Nothing new: replays, unchanged or updated trades', headers: replayed, ...TRADES_ANSWER },
    201: { description: 'At least one trade was created', headers: replayed, ...TRADES_ANSWER },
    ...problemResponses(...SIGNED_WRITE_ERRORS, 404, 422),
  },
});

export const DELIVER_SIDE = doc({
  summary: 'A peer DISCOM node delivers a signed side allocation (compact JWS, application/jose)',
  description: "The JWS is the credential: signed by a settlement key of the sending DISCOM that this node's DISCOM trusts (docs/p2p.md).",
  tags: ['p2p'],
  security: [],
  rawBody: { description: 'A compact JWS whose payload is the canonical side allocation', content: { 'application/jose': { schema: { type: 'string', pattern: '^[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]+$' } } } },
  response: {
    202: { description: "Put on the receiving DISCOMs' side topics", ...open({ tradeId: STRING, deliveredTo: STRINGS }, ['tradeId', 'deliveredTo']) },
    ...problemResponses(400, 401, 404, 413, 415, 422, 503),
  },
});

export const GET_TRADE = doc({
  summary: 'A P2P trade as this DISCOM holds it: terms, state, revision (trade id URL-encoded: <transactionId>%2F<commitmentId>)',
  tags: ['p2p'],
  security: BEARER,
  params: TRADE_ID,
  response: {
    200: { description: 'The trade', ...open({ discomId: STRING, tradeId: STRING, state: { type: 'string', enum: TRADE_STATES }, revision: INTEGER, trade: ANY_OBJECT }, ['discomId', 'tradeId', 'state', 'revision', 'trade']) },
    ...problemResponses(400, ...READ_ERRORS, 404, 414),
  },
});

export const GET_ALLOCATION = doc({
  summary: 'The final allocation of a trade as a DEG on_status (BUYER_DISCOM_ALLOC, SELLER_DISCOM_ALLOC, FINAL_ALLOC per interval); 202 while a side is awaited',
  tags: ['p2p'],
  security: BEARER,
  params: TRADE_ID,
  response: {
    200: { description: 'A DEG on_status with the allocation', headers: { 'x-ies-allocation-version': { type: 'integer' } }, ...open({ context: ANY_OBJECT, message: ANY_OBJECT }, ['context', 'message']) },
    202: pending('Allocated after the delivery window plus the grace for late reads, once both sides are in', { tradeId: STRING, state: STRING, awaiting: STRINGS, detail: STRING }, ['tradeId', 'state', 'awaiting']),
    ...problemResponses(400, ...READ_ERRORS, 404, 414),
  },
});
