import { problemResponses } from '@ies/errors';
import { BEARER, doc, INTEGER, open, SIGNED, SIGNED_BODY_NOTE, STRING } from '@ies/http/openapi';

const REGISTRY_DOCUMENT = open({
  discom: { type: 'string', description: 'The DISCOM (tenant) the document is for, e.g. BRPL-DL' },
  participants: { type: 'array', items: open({ id: STRING, role: { type: 'string', enum: ['DISCOM', 'HEADEND', 'AGGREGATOR', 'PLATFORM', 'NODE_OPERATOR', 'PEER_DISCOM', 'AUDITOR'] }, name: STRING, halfHourProfiles: { type: 'string', enum: ['REJECT', 'SPLIT_EVEN'] }, keys: { type: 'array', items: open({ kid: STRING, kty: STRING, crv: STRING, x: STRING, status: { type: 'string', enum: ['ACTIVE', 'REVOKED'] } }) } }, ['id', 'role']) },
  meters: { type: 'array', items: open({ id: STRING, scheme: STRING, headEnd: STRING, sanctionedLoadW: INTEGER, derCapacityW: INTEGER }, ['id', 'scheme', 'sanctionedLoadW']) },
  enrolments: { type: 'array', items: open({ aggregator: STRING, programme: STRING, meters: { type: 'array', items: STRING }, status: { type: 'string', enum: ['ACTIVE', 'ENDED'] } }, ['aggregator', 'programme', 'meters']) },
  tradingConsents: { type: 'array', items: open({ platform: STRING, meters: { type: 'array', items: STRING }, status: { type: 'string', enum: ['ACTIVE', 'ENDED'] } }, ['platform', 'meters']) },
}, ['discom'], 'A registry document (upserts only; a key listed with status REVOKED is revoked)');

export const APPLY_REGISTRY = doc({
  summary: 'Apply a signed registry document (participants, keys, meters, enrolments, trading consents)',
  description: `Signed by the node operator's key (IES_OPERATOR_JWKS_FILE), bound to POST /v1/registry and the document's DISCOM; a replayed jti is 409. ${SIGNED_BODY_NOTE}`,
  tags: ['registry'],
  security: SIGNED,
  rawBody: {
    description: 'The document, YAML or JSON, byte for byte as signed',
    content: {
      'application/yaml': { schema: REGISTRY_DOCUMENT },
      'text/yaml': { schema: REGISTRY_DOCUMENT },
      'application/json': { schema: REGISTRY_DOCUMENT },
    },
  },
  response: {
    200: { description: 'Applied: published on registry.v1 and in force on this replica', ...open({ discomId: STRING, applied: INTEGER, participants: INTEGER, keys: INTEGER, meters: INTEGER }, ['applied', 'participants', 'keys', 'meters']) },
    ...problemResponses(400, 401, 403, 409, 413, 415, 503),
  },
});

export const WHOAMI = doc({
  summary: 'The participant and tenant a bearer token identifies',
  tags: ['registry'],
  security: BEARER,
  response: {
    200: { description: 'Who the token identifies', ...open({ discomId: STRING, participantId: STRING, kid: STRING }, ['discomId', 'participantId', 'kid']) },
    ...problemResponses(401, 403),
  },
});

export const JWKS = doc({
  summary: "A tenant's public keys: registered participant keys with their status, its notary, settlement and the node's webhook keys",
  description: 'Public by design. ?discom= names the tenant (optional when the node hosts one).',
  tags: ['registry'],
  security: [],
  querystring: { type: 'object', properties: { discom: { type: 'string', description: 'A DISCOM hosted by this node' } } },
  response: {
    200: { description: 'A JWK set', ...open({ keys: { type: 'array', items: open({ kid: STRING, kty: STRING }) } }, ['keys']) },
    ...problemResponses(404, 503),
  },
});
