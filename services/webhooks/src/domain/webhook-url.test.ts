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

test('a host that is a non-public IP literal or localhost is refused (IES_ERR_WEBHOOK_ADDRESS_FORBIDDEN) unless allowed', () => {
  const forbidden = (url: string, policy: Parameters<typeof validateWebhookUrl>[1]) => {
    try {
      validateWebhookUrl(url, policy);
    } catch (err) {
      return (err as { code?: string }).code === 'IES_ERR_WEBHOOK_ADDRESS_FORBIDDEN';
    }
    return false;
  };
  for (const url of ['https://169.254.169.254/latest/meta-data/', 'https://10.0.0.7/h', 'https://192.168.1.1/h', 'https://127.0.0.1/h', 'https://localhost/h', 'https://[::1]/h',
    'https://[fd00::1]/h', 'https://[::ffff:169.254.169.254]/h', 'https://2852039166/h', 'https://0xa9.0xfe.0xa9.0xfe/h', 'https://0.0.0.0/h', 'https://metadata.localhost/h']) {
    assert.ok(forbidden(url, strict), url);
  }
  assert.equal(validateWebhookUrl('https://8.8.8.8/h', strict), 'https://8.8.8.8/h');
  // The local stack's loopback receivers stay allowed, metadata does not.
  assert.equal(validateWebhookUrl('https://127.0.0.1:8443/h', local), 'https://127.0.0.1:8443/h');
  assert.ok(forbidden('https://169.254.169.254/', local));
  // An operator-listed network.
  assert.equal(validateWebhookUrl('https://10.20.0.9/h', { ...strict, allowedNetworks: ['10.20.0.0/16'] }), 'https://10.20.0.9/h');
  assert.ok(forbidden('https://10.21.0.9/h', { ...strict, allowedNetworks: ['10.20.0.0/16'] }));
  assert.throws(() => validateWebhookUrl('https://agg.example.in/h', { ...strict, allowedNetworks: ['10.20.0.1/16'] }), /not a CIDR/);
});
