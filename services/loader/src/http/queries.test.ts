import { test } from 'node:test';
import assert from 'node:assert/strict';
import { deadLetterBytesQuery } from './dead-letter-bytes.js';
import { dayLoadedQuery, deadLettersQuery, headEndBatchesQuery, ingestPerMinuteQuery, receiptCheckpointsQuery, rejectionsPerMinuteQuery } from './queries.js';

test('dead letters: the tenant always, each filter only when given, one row more than the limit', () => {
  const plain = deadLettersQuery({ discomId: 'BRPL-DL', limit: 100 });
  assert.match(plain, /WHERE discom_id = 'BRPL-DL'\nGROUP BY/);
  assert.match(plain, /LIMIT 101$/);
  const all = deadLettersQuery({ discomId: 'BRPL-DL', stage: 'gateway', code: 'IES_ERR_VEE_NEGATIVE', headEndId: 'HES-1', fromMs: 1000, toMs: 2000, limit: 5 });
  for (const part of ["stage = 'gateway'", "code = 'IES_ERR_VEE_NEGATIVE'", 'rejected_at_ms >= 1000', 'rejected_at_ms < 2000', "substring(batch_id, 1, 6) = 'HES-1:'", "context_values[indexOf(context_keys, 'headEndId')] = 'HES-1'"]) assert.ok(all.includes(part), part);
});

test('values are literals: a quote in a filter is escaped, and the head-end prefix length counts UTF-8 bytes', () => {
  const q = deadLettersQuery({ discomId: "X'; DROP TABLE dead_letters; --", headEndId: 'HÉS', limit: 1 });
  assert.ok(q.includes("discom_id = 'X\\'; DROP TABLE dead_letters; --'"), q);
  assert.ok(q.includes("substring(batch_id, 1, 5) = 'HÉS:'"), q);
  assert.match(headEndBatchesQuery("A'B"), /WHERE discom_id = 'A\\'B'/);
});

test('intake per minute: receipts folded per log index, the load lag only where it was recorded; dead letters folded per source, stage and code', () => {
  const ingest = ingestPerMinuteQuery('BRPL-DL', 60_000, 3_660_000);
  for (const part of ["discom_id = 'BRPL-DL'", 'accepted_at_ms >= 60000', 'accepted_at_ms < 3660000', 'GROUP BY log_index', 'avgIf(toInt64(loaded) - toInt64(at_ms), loaded > 0)', 'intDiv(at_ms, 60000) * 60000 AS minute_ms', 'any(notarised_at_ms) AS notarised', 'avgIf(toInt64(loaded) - toInt64(notarised), notarised > 0 AND loaded > 0)']) assert.ok(ingest.includes(part), part);
  const rejections = rejectionsPerMinuteQuery('BRPL-DL', 60_000, 3_660_000);
  for (const part of ['rejected_at_ms >= 60000', 'rejected_at_ms < 3660000', 'GROUP BY source_id, stage, code', 'GROUP BY minute_ms, code']) assert.ok(rejections.includes(part), part);
});

test('checkpoint history and a dead letter with its bytes: the tenant and the source are literals; the bytes come as hex', () => {
  assert.match(receiptCheckpointsQuery("A'B", 20), /WHERE discom_id = 'A\\'B'\nGROUP BY checkpoint\nORDER BY last_index DESC\nLIMIT 20$/);
  const bytes = deadLetterBytesQuery('BRPL-DL', "topic/0/7'#1");
  assert.ok(bytes.includes("source_id = 'topic/0/7\\'#1'"), bytes);
  assert.ok(bytes.includes('hex(argMax(payload, rejected_at_ms)) AS payload_hex'), bytes);
});

test('a settlement day as loaded: the day\'s reads of the tenant only, the load time from the receipts of the batches carrying them', () => {
  const q = dayLoadedQuery("A'B", 1_774_549_800, 1_774_636_200);
  assert.equal(q.split("discom_id = 'A\\'B'").length - 1, 5, q);
  for (const part of ['block_start >= toDateTime(1774549800) AND block_start < toDateTime(1774636200)', 'max(received_at_ms)', 'max(loaded_at_ms) FROM receipts', 'batch_id IN (SELECT batch_id FROM reads']) assert.ok(q.includes(part), part);
});
