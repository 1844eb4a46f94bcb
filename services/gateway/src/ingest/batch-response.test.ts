// The replay-ledger keeper answers a replay after a Redis loss from the batch's record:
// that answer must be the one the intake gave, for both formats.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { parseStrictJson } from '@ies/crypto';
import { normaliseBatch, type BatchFormat, type IngestContext } from '@ies/meterdata';
import { iesMeterDataFixtures } from '@ies/testing';
import { acceptedBatchResponse, answerFromRecord } from './batch-response.js';

const receivedAt = Date.parse('2026-05-19T06:00:00Z');

function contextKnowing(meterIds: readonly string[]): IngestContext {
  return {
    discomId: 'BRPL-DL',
    senderId: 'HE-1',
    meters: (meterId) => (meterIds.includes(meterId) ? { meterId, discomId: 'BRPL-DL', sanctionedLoadW: 10_000_000 } : undefined),
    policy: { nowMs: receivedAt, halfHourProfiles: 'SPLIT_EVEN', plausibilityMargin: 1.5 },
  };
}

/** What the intake answers and the record it writes (as submit-batch.ts builds both), and the record as a consumer decodes it. */
function acceptAndRecord(format: BatchFormat, body: Buffer, ctx: IngestContext) {
  const result = normaliseBatch(format, body, ctx, parseStrictJson);
  const header = { batchId: 'HE-1:B-7', discomId: 'BRPL-DL', headEndId: 'HE-1', receivedAt, format, bodySha256: 'ab'.repeat(32), signature: 'sig', body };
  const answered = acceptedBatchResponse({ ...header, reads: result.reads, rejected: result.rejected, ignoredProfiles: result.ignoredProfiles });
  // Avro keeps every field of the record; a structured clone stands in for encode/decode.
  const decoded = structuredClone({ ...header, reads: result.reads, rejected: result.rejected });
  return { answered, decoded: { ...decoded, body: Buffer.from(decoded.body) } };
}

test('compact CSV: the answer rebuilt from the record is the answer given, rejected reads included', () => {
  const csv = [
    'meter_id,block_start,import_wh,export_wh,status',
    'M-1,2026-05-18T00:00:00+05:30,120,0,VALID',
    'M-1,2026-05-18T00:07:00+05:30,120,0,VALID', // off the 15-minute grid
    'M-9,2026-05-18T00:15:00+05:30,80,0,VALID', // not registered
    'M-1,2026-05-18T00:15:00+05:30,130,5,VALID',
  ].join('\n');
  const ctx = contextKnowing(['M-1']);
  const { answered, decoded } = acceptAndRecord('COMPACT_CSV', Buffer.from(csv), ctx);
  assert.deepEqual(answered.counts, { reads: 8, accepted: 4, rejected: 4 });
  assert.deepEqual(answered.rejected.map((r) => r.code), ['IES_ERR_VEE_BLOCK_MISALIGNED', 'IES_ERR_VEE_BLOCK_MISALIGNED', 'IES_ERR_VEE_UNKNOWN_METER', 'IES_ERR_VEE_UNKNOWN_METER']);
  assert.deepEqual(answerFromRecord(decoded, ctx), answered);
});

test('IES MeterData: ignoredProfiles, the one field not on the record, is counted again from the body', () => {
  const body = readFileSync(new URL('examples/MultiMeterBulkDataset.json', iesMeterDataFixtures()));
  const meters = [...body.toString('utf8').matchAll(/"(did:web:[^"]*:meter:[^"]*)"/g)].map((m) => m[1] as string);
  const ctx = contextKnowing(meters);
  const { answered, decoded } = acceptAndRecord('IES_METERDATA_V06', body, ctx);
  assert.ok(Object.keys(answered.ignoredProfiles).length > 0);
  assert.ok(answered.counts.accepted > 0);
  assert.deepEqual(answerFromRecord(decoded, ctx), answered);
});
