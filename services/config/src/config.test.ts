import { test } from 'node:test';
import assert from 'node:assert/strict';
import { IesError } from '@ies/errors';
import { loadConfig, redactConfig } from './config.js';

test('defaults point at the local stack', () => {
  const c = loadConfig({});
  assert.deepEqual(c.kafka.brokers, ['127.0.0.1:9092']);
  assert.equal(c.registry.url, 'http://127.0.0.1:8081/apis/ccompat/v7');
  assert.equal(c.clickhouse.url, 'http://127.0.0.1:8123');
  assert.equal(c.redis.url, 'redis://127.0.0.1:6379');
  assert.equal(c.http.host, '127.0.0.1');
});

test('tenants and ingest limits have working defaults and are validated', () => {
  const c = loadConfig({ IES_TENANTS: 'BRPL-DL, TPDDL-DL' });
  assert.deepEqual(c.tenants, ['BRPL-DL', 'TPDDL-DL']);
  assert.equal(c.ingest.maxReadsPerBatch, 50_000);
  assert.equal(c.ingest.maxBodyBytes, 16 * 1024 * 1024);
  assert.equal(c.auth.maxSkewSeconds, 300);
  assert.throws(() => loadConfig({ IES_TENANTS: 'brpl' }), /IES_TENANTS entry "brpl"/);
});

test('the config is deeply frozen', () => {
  const c = loadConfig({});
  assert.ok(Object.isFrozen(c) && Object.isFrozen(c.kafka) && Object.isFrozen(c.kafka.brokers));
  assert.throws(() => {
    (c.kafka as { clientId: string }).clientId = 'x';
  }, TypeError);
});

test('environment overrides are parsed', () => {
  const c = loadConfig({ IES_KAFKA_BROKERS: '127.0.0.1:9092, 127.0.0.1:9094', IES_HTTP_PORT: '9999', IES_REGISTRY_URL: 'http://h:1/x/' });
  assert.deepEqual(c.kafka.brokers, ['127.0.0.1:9092', '127.0.0.1:9094']);
  assert.equal(c.http.port, 9999);
  assert.equal(c.registry.url, 'http://h:1/x');
});

test('every invalid setting is reported at once, with its value', () => {
  try {
    loadConfig({ IES_HTTP_PORT: '70000', IES_KAFKA_BROKERS: 'nohostport', IES_REDIS_URL: 'http://x', IES_LOG_LEVEL: 'loud' });
    assert.fail('expected an error');
  } catch (err) {
    assert.ok(err instanceof IesError);
    assert.equal(err.code, 'IES_ERR_CONFIG_INVALID');
    assert.match(err.message, /IES_HTTP_PORT="70000" must be an integer from 0 to 65535/);
    assert.match(err.message, /IES_KAFKA_BROKERS entry "nohostport"/);
    assert.match(err.message, /IES_REDIS_URL="http:\/\/x" must use redis: or rediss:/);
    assert.match(err.message, /IES_LOG_LEVEL="loud"/);
  }
});

test('redaction hides the ClickHouse password and credentials in URLs', () => {
  const c = loadConfig({ IES_CLICKHOUSE_PASSWORD: 's3cret', IES_REDIS_URL: 'redis://u:redispw@127.0.0.1:6379', IES_REGISTRY_URL: 'http://reg:regpw@127.0.0.1:8081/apis/ccompat/v7' });
  const out = JSON.stringify(redactConfig(c));
  for (const secret of ['s3cret', 'redispw', 'regpw']) assert.ok(!out.includes(secret), out);
  assert.ok(out.includes('127.0.0.1:6379'));
});

test('the replay window must cover twice the signature skew', () => {
  assert.throws(() => loadConfig({ IES_AUTH_MAX_SKEW_SECONDS: '600', IES_INGEST_IDEMPOTENCY_TTL_SECONDS: '900' }), /at least twice IES_AUTH_MAX_SKEW_SECONDS=600/);
});

test('HTTP timeouts are bounded by default, configurable, and the headers timeout fits in the request timeout', () => {
  const d = loadConfig({}).http;
  for (const ms of [d.requestTimeoutMs, d.headersTimeoutMs, d.connectionTimeoutMs, d.keepAliveTimeoutMs]) assert.ok(ms > 0 && ms <= 3_600_000);
  assert.ok(d.headersTimeoutMs <= d.requestTimeoutMs);
  const c = loadConfig({ IES_HTTP_REQUEST_TIMEOUT_MS: '5000', IES_HTTP_HEADERS_TIMEOUT_MS: '2000', IES_HTTP_CONNECTION_TIMEOUT_MS: '9000', IES_HTTP_KEEP_ALIVE_TIMEOUT_MS: '4000' }).http;
  assert.deepEqual([c.requestTimeoutMs, c.headersTimeoutMs, c.connectionTimeoutMs, c.keepAliveTimeoutMs], [5000, 2000, 9000, 4000]);
  assert.throws(() => loadConfig({ IES_HTTP_REQUEST_TIMEOUT_MS: '1000', IES_HTTP_HEADERS_TIMEOUT_MS: '2000' }), /IES_HTTP_HEADERS_TIMEOUT_MS=2000 must not exceed/);
  assert.throws(() => loadConfig({ IES_HTTP_REQUEST_TIMEOUT_MS: '0' }), /IES_HTTP_REQUEST_TIMEOUT_MS="0" must be an integer from 100/);
});

test('webhook allowed networks are a list of CIDRs, none by default', () => {
  assert.deepEqual(loadConfig({}).dr.webhookAllowedNetworks, []);
  assert.deepEqual(loadConfig({ IES_WEBHOOK_ALLOWED_NETWORKS: '10.20.0.0/16, fd00:1::/48' }).dr.webhookAllowedNetworks, ['10.20.0.0/16', 'fd00:1::/48']);
  assert.throws(() => loadConfig({ IES_WEBHOOK_ALLOWED_NETWORKS: '10.20.0.0' }), /IES_WEBHOOK_ALLOWED_NETWORKS entry "10.20.0.0" must be a CIDR/);
});
