import { problemResponses } from '@ies/errors';
import { doc, INTEGER, open, SIGNED, SIGNED_BODY_NOTE, SIGNED_WRITE_ERRORS, STRING } from '@ies/http/openapi';

const CSV = 'Compact CSV: the header line `meter_id,block_start,import_wh,export_wh,status`, then one 15-minute block per line';
const PROFILE = open({ '@type': STRING, profileType: STRING, id: STRING }, ['@type'], 'An IES MeterData v0.6 profile (its schema.json)');
const METERDATA = { description: 'An IES MeterData v0.6 document: one profile, or an array of profiles and payload descriptors', oneOf: [PROFILE, { type: 'array', minItems: 1, items: PROFILE }] };

const CREDENTIAL = {
  description: 'A MeterDataCredential (W3C VC 2.0) with a Data Integrity proof (Ed25519Signature2020 or eddsa-jcs-2022) by a key the issuer registered; no X-IES-Signature. docs/ingest.md section 5',
  ...open({ '@context': { type: 'array' }, id: STRING, type: { type: 'array' }, issuer: {}, credentialSubject: { type: 'object' }, proof: { type: 'object' } }, ['@context', 'id', 'type', 'issuer', 'credentialSubject', 'proof']),
};

export const SUBMIT_METER_DATA = doc({
  summary: 'Submit a signed batch of 15-minute interval reads',
  description: `A head-end's batch: IES MeterData v0.6 JSON or compact CSV, signed with a detached JWS, or a MeterDataCredential (\`application/vc\`) that carries its own proof, whose \`id\` stands for the \`jti\`. The JWS \`jti\` is the batch id; the same signed batch again gets the first answer back (Idempotent-Replayed: true). ${SIGNED_BODY_NOTE}`,
  tags: ['meter-data'],
  security: SIGNED,
  headers: {
    type: 'object',
    required: ['content-type'],
    properties: {
      'x-ies-tenant': { type: 'string', description: 'Optional: the DISCOM the batch is for; must be the signing key\'s DISCOM' },
    },
  },
  rawBody: {
    description: 'The batch, byte for byte as signed',
    content: {
      'text/csv': { schema: { type: 'string', description: CSV } },
      'application/json': { schema: METERDATA },
      'application/ies-meterdata+json': { schema: METERDATA },
      'application/vc': { schema: CREDENTIAL },
      'application/vc+ld+json': { schema: CREDENTIAL },
    },
  },
  response: {
    202: {
      description: 'Accepted and durably on Kafka; rejected reads are listed (per-read VEE codes); the receipt follows at receiptUrl',
      headers: { 'idempotent-replayed': { type: 'string', enum: ['true'], description: 'Present on the stored answer of an earlier request with the same jti' } },
      ...open({
        batchId: STRING, discomId: STRING, headEndId: STRING, receivedAt: STRING, format: STRING,
        counts: open({ reads: INTEGER, accepted: INTEGER, rejected: INTEGER }, ['reads', 'accepted', 'rejected']),
        ignoredProfiles: { type: 'array' },
        rejected: { type: 'array', items: open({ code: STRING }) },
        receiptUrl: STRING,
      }, ['batchId', 'discomId', 'headEndId', 'receivedAt', 'format', 'counts', 'rejected', 'receiptUrl']),
    },
    ...problemResponses(...SIGNED_WRITE_ERRORS, 422),
  },
});

