import { problemResponses } from '@ies/errors';
import { ANY_OBJECT, BEARER, INTEGER, READ_ERRORS, SIGNED, SIGNED_BODY_NOTE, SIGNED_WRITE_ERRORS, STRING, doc, open, pending } from '@ies/http/openapi';
import { DR_EVENT_STATES } from '../domain/event-lifecycle.js';

const EVENT_ID = { type: 'object', required: ['eventId'], properties: { eventId: { type: 'string', description: 'The DR event id' } } };
const EVENT_VIEW = open({
  eventId: STRING, discomId: STRING, state: { type: 'string', enum: [...DR_EVENT_STATES] }, version: INTEGER, aggregatorId: STRING, programmeId: STRING,
  event: ANY_OBJECT,
  history: { type: 'array', items: ANY_OBJECT },
}, ['eventId', 'discomId', 'state', 'version', 'aggregatorId', 'programmeId', 'event', 'history']);
const replayed = { 'idempotent-replayed': { type: 'string', enum: ['true'], description: 'The stored answer of an earlier request with the same jti' } };

const EVENT_REQUEST = open({
  eventId: STRING, programmeId: STRING, aggregatorId: STRING,
  window: open({ start: { type: 'integer', description: 'UTC epoch ms, on a 15-minute boundary' }, end: INTEGER }, ['start', 'end']),
  intervals: { type: 'array', items: open({ requestedWh: INTEGER, offeredWh: INTEGER, pricePaisePerKwh: INTEGER, shortfallPenaltyPaisePerKwh: INTEGER }) },
  participatingMeters: { type: 'array', items: STRING },
  participatingMetersDigest: STRING,
  methodology: { type: 'string', description: 'A baseline policy pack reference id@version, e.g. deg-5of10@1' },
}, ['eventId', 'programmeId', 'aggregatorId', 'window', 'intervals', 'methodology'], 'A DR event request (docs/dr.md)');

export const CREATE_EVENT = doc({
  summary: 'Create a DR event (signed by the aggregator or the DISCOM); it starts in DRAFT',
  description: `Signed by the event's aggregator (ahead of the window) or a DISCOM participant (late entries too); the jti is recorded and a replay gets the first answer. ${SIGNED_BODY_NOTE}`,
  tags: ['dr'],
  security: SIGNED,
  rawBody: { description: 'The event, byte for byte as signed', content: { 'application/json': { schema: EVENT_REQUEST } } },
  response: {
    200: { description: 'The same event existed already (unchanged)', headers: replayed, ...EVENT_VIEW },
    201: { description: 'Created in DRAFT', headers: replayed, ...EVENT_VIEW },
    ...problemResponses(...SIGNED_WRITE_ERRORS, 422),
  },
});

export const TRANSITION_EVENT = doc({
  summary: 'Move a DR event to ACTIVE or CANCELLED (signed)',
  tags: ['dr'],
  security: SIGNED,
  params: EVENT_ID,
  rawBody: { description: 'The transition, byte for byte as signed', content: { 'application/json': { schema: open({ to: { type: 'string', enum: ['ACTIVE', 'CANCELLED'] }, reason: STRING }, ['to']) } } },
  response: {
    200: { description: 'The event after the transition (or already in that state)', headers: replayed, ...EVENT_VIEW },
    ...problemResponses(...SIGNED_WRITE_ERRORS, 404, 414, 422),
  },
});

export const GET_EVENT = doc({
  summary: 'A DR event with its state and transition history',
  tags: ['dr'],
  security: BEARER,
  params: EVENT_ID,
  response: { 200: { description: 'The event', ...EVENT_VIEW }, ...problemResponses(...READ_ERRORS, 404, 414) },
});

export const GET_BASELINES = doc({
  summary: 'Per meter and interval baselines of an event (after BASELINED)',
  tags: ['dr'],
  security: BEARER,
  params: EVENT_ID,
  response: {
    200: { description: 'The baselines', ...open({ eventId: STRING, state: STRING, methodology: STRING, baselines: { type: 'array', items: ANY_OBJECT } }, ['eventId', 'state', 'baselines']) },
    202: pending('ACTIVE: the baselines are being computed', { eventId: STRING, state: STRING, detail: STRING }, ['eventId', 'state']),
    ...problemResponses(...READ_ERRORS, 404, 414),
  },
});

export const GET_PERFORMANCE = doc({
  summary: 'Delivered energy, payment and penalty of an event (latest version), per interval and meter',
  tags: ['dr'],
  security: BEARER,
  params: EVENT_ID,
  response: {
    200: { description: 'The measured performance', ...open({ state: STRING }, ['state']) },
    202: pending('BASELINED: measured after the window closes and its reads arrive', { eventId: STRING, state: STRING, detail: STRING }, ['eventId', 'state']),
    ...problemResponses(...READ_ERRORS, 404, 414),
  },
});
