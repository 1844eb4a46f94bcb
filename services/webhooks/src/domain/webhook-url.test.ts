import { test } from 'node:test';
import assert from 'node:assert/strict';
import { validateWebhookUrl } from './webhook-url.js';

const strict = { allowLoopbackHttp: false };
const local = { allowLoopbackHttp: true };

test('https URLs are accepted and normalised', () => {
  assert.equal(validateWebhookUrl('https://Agg.example.in/hooks/ies?x=1', strict), 'https://agg.example.in/hooks/ies?x=1');
});

test('http is accepted only to loopback and only when the policy allows it', () => {
  assert.equal(validateWebhookUrl('http://127.0.0.1:8080/h', local), 'http://127.0.0.1:8080/h');
  assert.equal(validateWebhookUrl('http://localhost/h', local), 'http://localhost/h');
  assert.equal(validateWebhookUrl('http://[::1]:9/h', local), 'http://[::1]:9/h');
  assert.throws(() => validateWebhookUrl('http://127.0.0.1:8080/h', strict), /only accepted on a local test node/);
  assert.throws(() => validateWebhookUrl('http://agg.example.in/h', local), /must use https \(got http to agg.example.in\)/);
});

const refused: [unknown, RegExp][] = [
  [undefined, /non-empty string/],
  ['', /non-empty string/],
  [42, /non-empty string/],
  ['/relative', /not an absolute URL/],
  ['ftp://agg.example.in/h', /got ftp/],
  ['javascript:alert(1)', /got javascript/],
  ['https://user:pw@agg.example.in/h', /credentials/],
  ['https://token@agg.example.in/h', /credentials/],
  ['https://agg.example.in/h#frag', /fragment/],
  [`https://agg.example.in/${'a'.repeat(2100)}`, /at most 2048/],
];
for (const [raw, message] of refused) {
  test(`refuses ${String(raw).slice(0, 40)}`, () => {
    assert.throws(() => validateWebhookUrl(raw, local), (err: Error & { code?: string }) => err.code === 'IES_ERR_VALIDATION' && message.test(err.message));
  });
}
