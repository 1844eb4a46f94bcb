import { test } from 'node:test';
import assert from 'node:assert/strict';
import { insertError } from './insert.js';

test('an unreachable or overloaded ClickHouse is retriable; rows it refuses are not', () => {
  const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:8123'), { code: 'ECONNREFUSED' });
  const tooManyParts = Object.assign(new Error('Too many parts (300)'), { code: '252', type: 'TOO_MANY_PARTS' });
  const badData = Object.assign(new Error('Cannot parse input'), { code: '27', type: 'CANNOT_PARSE_INPUT_ASSERTION_FAILED' });
  assert.deepEqual([refused, tooManyParts].map((e) => [insertError(e, 'reads').code, insertError(e, 'reads').retriable]), [['IES_ERR_DEPENDENCY_UNAVAILABLE', true], ['IES_ERR_DEPENDENCY_UNAVAILABLE', true]]);
  const refusal = insertError(badData, 'reads');
  assert.equal(refusal.retriable, false);
  assert.match(refusal.message, /code 27/);
  assert.equal(insertError(new TypeError('x is not a function'), 'reads').retriable, false);
});
