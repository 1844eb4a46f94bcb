import { test } from 'node:test';
import assert from 'node:assert/strict';
import { identifier, literal, sql } from './sql.js';

test('strings are quoted with backslash escapes', () => {
  assert.equal(literal("O'Brien \\ x"), "'O\\'Brien \\\\ x'");
  assert.equal(sql`SELECT ${"a'; DROP TABLE t; --"}`, "SELECT 'a\\'; DROP TABLE t; --'");
});

test('numbers, bigints, booleans, arrays, null and dates', () => {
  assert.equal(sql`${1} ${2n ** 63n - 1n} ${true} ${null} ${['a', 1]}`, "1 9223372036854775807 1 NULL ['a', 1]");
  assert.equal(literal(new Date(Date.UTC(2026, 0, 1))), 'toDateTime(1767225600)');
  assert.throws(() => literal(Number.NaN), RangeError);
});

test('identifiers are validated, not escaped', () => {
  assert.equal(identifier('meter_reads'), 'meter_reads');
  assert.throws(() => identifier('x; DROP'), RangeError);
  assert.throws(() => identifier('1abc'), RangeError);
});
