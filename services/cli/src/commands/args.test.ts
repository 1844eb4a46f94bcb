import { test } from 'node:test';
import assert from 'node:assert/strict';
import { option, parseArgs } from './args.js';

test('options with values, inline values and flags', () => {
  const a = parseArgs(['generate', 'extra', '--name', 'hes-1', '--alg=ES256', '--operator']);
  assert.deepEqual(a.positional, ['generate', 'extra']);
  assert.equal(option(a, 'name', 'x'), 'hes-1');
  assert.equal(option(a, 'alg', 'EdDSA'), 'ES256');
  assert.equal(a.options.get('operator'), true);
  assert.equal(option(a, 'out', '.stack/keys'), '.stack/keys');
});
