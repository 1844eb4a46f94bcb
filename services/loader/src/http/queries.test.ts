import { test } from 'node:test';
import assert from 'node:assert/strict';
import { deadLettersQuery, headEndBatchesQuery } from './queries.js';

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
