import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { ERROR_CODES } from './codes.js';

const docs = readFileSync(new URL('../../../../docs/errors.md', import.meta.url), 'utf8');

test('every error code is documented in docs/errors.md with its status', () => {
  for (const [code, spec] of Object.entries(ERROR_CODES)) {
    const row = docs.split('\n').find((line) => line.startsWith(`| \`${code}\` `));
    assert.ok(row, `${code} has no row in docs/errors.md`);
    assert.match(row, new RegExp(`\\| ${spec.status} \\|`), `${code} row does not state status ${spec.status}`);
  }
});

test('docs/errors.md documents no code that does not exist', () => {
  const documented = [...docs.matchAll(/^\| `(IES_ERR_[A-Z_]+)` /gm)].map((m) => m[1]);
  for (const code of documented) assert.ok(code && code in ERROR_CODES, `${code} is documented but not defined`);
});

test('codes are upper snake case with the IES_ERR_ prefix', () => {
  for (const code of Object.keys(ERROR_CODES)) assert.match(code, /^IES_ERR_[A-Z0-9_]+$/);
});
