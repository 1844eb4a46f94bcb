import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { IesError } from '@ies/errors';
import { loadConfig } from './config.js';
import { redactConfig } from './redact.js';

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

test("a log's origin is the node's public URL without scheme + /logs, unless set", () => {
  assert.equal(loadConfig({}).http.publicUrl, 'http://127.0.0.1:8080');
  assert.equal(loadConfig({}).notary.originPrefix, '127.0.0.1:8080/logs');
  assert.equal(loadConfig({ IES_HTTP_PORT: '9443', IES_HTTP_HOST: '::1' }).notary.originPrefix, '[::1]:9443/logs');
  const pub = loadConfig({ IES_PUBLIC_URL: 'https://node.brpl.example/ies/' });
  assert.equal(pub.http.publicUrl, 'https://node.brpl.example/ies');
  assert.equal(pub.notary.originPrefix, 'node.brpl.example/ies/logs');
  assert.equal(loadConfig({ IES_PUBLIC_URL: 'https://n.example', IES_NOTARY_ORIGIN_PREFIX: 'ies.local/n1' }).notary.originPrefix, 'ies.local/n1');
  assert.throws(() => loadConfig({ IES_PUBLIC_URL: 'ftp://n.example' }), /IES_PUBLIC_URL="ftp:\/\/n.example" must use http: or https:/);
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

/** A secrets folder laid out as `stack up` makes it. */
function secretsDir(files: Record<string, string>): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'ies-secrets-'));
  for (const [name, value] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
    writeFileSync(path.join(dir, name), `${value}\n`, { mode: 0o600 });
  }
  return dir;
}

test('the Kafka password of a principal, the Redis and ClickHouse passwords come from the secrets folder', () => {
  const dir = secretsDir({ 'kafka/notary.password': 'kpw', 'redis.password': 'rpw', 'clickhouse.password': 'cpw' });
  const c = loadConfig({ IES_SECRETS_DIR: dir }, { principal: 'notary' });
  assert.deepEqual(c.kafka.sasl, { mechanism: 'scram-sha-512', username: 'notary', password: 'kpw', passwordFrom: path.join(dir, 'kafka', 'notary.password') });
  assert.equal(c.redis.password, 'rpw');
  assert.equal(c.clickhouse.password, 'cpw');
  assert.equal(c.secretsDir, dir);
  assert.equal(loadConfig({ IES_STACK_DIR: '/x/stack' }).secretsDir, path.join('/x/stack', 'secrets'));
});

test('environment overrides the secrets folder; no principal means no Kafka credentials', () => {
  const dir = secretsDir({ 'kafka/notary.password': 'kpw', 'redis.password': 'rpw' });
  const c = loadConfig({ IES_SECRETS_DIR: dir, IES_KAFKA_USERNAME: 'notary-2', IES_KAFKA_PASSWORD: 'env-pw', IES_KAFKA_SASL_MECHANISM: 'scram-sha-256', IES_REDIS_PASSWORD: 'env-rpw', IES_CLICKHOUSE_PASSWORD: 'env-cpw' }, { principal: 'notary' });
  assert.equal(c.kafka.sasl?.username, 'notary-2');
  assert.equal(c.kafka.sasl?.password, 'env-pw');
  assert.equal(c.kafka.sasl?.mechanism, 'scram-sha-256');
  assert.equal(c.redis.password, 'env-rpw');
  assert.equal(c.clickhouse.password, 'env-cpw');
  assert.equal(loadConfig({ IES_SECRETS_DIR: dir, IES_REDIS_URL: 'redis://:urlpw@127.0.0.1:6379' }).redis.password, 'urlpw');
  assert.equal(loadConfig({ IES_SECRETS_DIR: dir }).kafka.sasl, undefined);
});

test('a named principal without a password is a configuration error naming the file', () => {
  const dir = secretsDir({});
  assert.throws(() => loadConfig({ IES_SECRETS_DIR: dir }, { principal: 'loader' }), (err: unknown) => err instanceof IesError && err.code === 'IES_ERR_CONFIG_INVALID' && err.message.includes(path.join(dir, 'kafka', 'loader.password')));
  assert.throws(() => loadConfig({ IES_SECRETS_DIR: dir, IES_KAFKA_PASSWORD: 'x', IES_KAFKA_SASL_MECHANISM: 'gssapi' }, { principal: 'loader' }), /IES_KAFKA_SASL_MECHANISM="gssapi"/);
});

test('redaction hides the Kafka and Redis passwords', () => {
  const dir = secretsDir({ 'kafka/gateway.password': 'kafka-secret', 'redis.password': 'redis-secret' });
  const out = JSON.stringify(redactConfig(loadConfig({ IES_SECRETS_DIR: dir }, { principal: 'gateway' })));
  for (const secret of ['kafka-secret', 'redis-secret']) assert.ok(!out.includes(secret), out);
  assert.ok(out.includes('"username":"gateway"'));
});

test('the witness has a name, a key folder and the vkeys of the logs it watches', () => {
  const c = loadConfig({ IES_NODE_ID: 'node-a' });
  assert.equal(c.witness.name, 'ies.local/node-a/witness');
  assert.equal(c.witness.keysDir, '.stack/keys/witness');
  assert.deepEqual(c.witness.logs, []);
  const vkey = 'ies.local/node-b/BRPL-DL+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW';
  assert.deepEqual(loadConfig({ IES_WITNESS_LOGS: `${vkey}, ${vkey.replace('BRPL', 'TPDDL')}\n` }).witness.logs, [vkey, vkey.replace('BRPL', 'TPDDL')]);
  assert.throws(() => loadConfig({ IES_WITNESS_LOGS: 'not-a-key' }), /IES_WITNESS_LOGS entry "not-a-key" must be a verifier key/);
  assert.throws(() => loadConfig({ IES_WITNESS_NAME: 'a b' }), /IES_WITNESS_NAME="a b"/);
});

test('aggregator Kafka credentials: off unless an issuer principal is named; its password from the secrets folder, redacted', () => {
  const dir = secretsDir({ 'kafka/admin.password': 'issuer-secret' });
  const off = loadConfig({ IES_SECRETS_DIR: dir });
  assert.equal(off.dr.kafkaCredentials.issuer, undefined);
  assert.deepEqual(off.dr.kafkaCredentials.bootstrapServers, off.kafka.brokers);
  assert.equal(off.dr.kafkaCredentials.schemaRegistryUrl, 'http://127.0.0.1:8080/v1/dr/schema-registry', 'the aggregator’s registry view on the node, not the shared registry');
  const on = loadConfig({ IES_SECRETS_DIR: dir, IES_DR_KAFKA_ISSUER: 'admin', IES_DR_KAFKA_CLIENT_BROKERS: 'kafka.example:9093', IES_DR_KAFKA_CREDENTIAL_TTL_SECONDS: '600' });
  assert.deepEqual(on.dr.kafkaCredentials.issuer, { username: 'admin', password: 'issuer-secret' });
  assert.deepEqual(on.dr.kafkaCredentials.bootstrapServers, ['kafka.example:9093']);
  assert.equal(on.dr.kafkaCredentials.defaultTtlSeconds, 600);
  assert.ok(!JSON.stringify(redactConfig(on)).includes('issuer-secret'));
  assert.throws(() => loadConfig({ IES_SECRETS_DIR: dir, IES_DR_KAFKA_ISSUER: 'nobody' }), /IES_DR_KAFKA_ISSUER=nobody: no password/);
  // The node's own registry credentials are never handed to an aggregator.
  assert.ok(!loadConfig({ IES_SECRETS_DIR: dir, IES_REGISTRY_URL: 'http://reg:regpw@127.0.0.1:8081/apis/ccompat/v7' }).dr.kafkaCredentials.schemaRegistryUrl.includes('regpw'));
});

test('the operator\'s credential contexts directory is unset by default (bundled contexts only) and read as given', () => {
  assert.equal(loadConfig({}).credentials.contextsDir, undefined);
  assert.equal(loadConfig({ IES_CREDENTIAL_CONTEXTS_DIR: '' }).credentials.contextsDir, undefined);
  assert.equal(loadConfig({ IES_CREDENTIAL_CONTEXTS_DIR: '/etc/ies/contexts' }).credentials.contextsDir, '/etc/ies/contexts');
});

test('one-time console sign-in links: off by default, and refused on a node that listens beyond this machine', () => {
  assert.equal(loadConfig({}).console.signInLinks, false);
  assert.equal(loadConfig({ IES_CONSOLE_SIGN_IN_LINKS: 'true' }).console.signInLinks, true);
  assert.equal(loadConfig({ IES_CONSOLE_SIGN_IN_LINKS: 'true', IES_HTTP_HOST: '::1' }).console.signInLinks, true);
  assert.throws(() => loadConfig({ IES_CONSOLE_SIGN_IN_LINKS: 'true', IES_HTTP_HOST: '0.0.0.0' }), /IES_CONSOLE_SIGN_IN_LINKS=true is for a node on this machine only .* not 0\.0\.0\.0/);
});

test("the loader's INSERTs in flight: two by default, one per ClickHouse core it may use, from 1 to 16", () => {
  assert.equal(loadConfig({}).loader.insertsInFlight, 2);
  assert.equal(loadConfig({ IES_LOADER_INSERTS_IN_FLIGHT: '1' }).loader.insertsInFlight, 1);
  assert.throws(() => loadConfig({ IES_LOADER_INSERTS_IN_FLIGHT: '0' }), /IES_LOADER_INSERTS_IN_FLIGHT="0" must be an integer from 1 to 16/);
  assert.throws(() => loadConfig({ IES_LOADER_INSERTS_IN_FLIGHT: '1.5' }), /IES_LOADER_INSERTS_IN_FLIGHT="1.5" must be an integer from 1 to 16/);
  assert.equal(loadConfig({ IES_LOADER_INSERTS_IN_FLIGHT: '16' }).loader.insertsInFlight, 16);
  assert.throws(() => loadConfig({ IES_LOADER_INSERTS_IN_FLIGHT: '17' }), /IES_LOADER_INSERTS_IN_FLIGHT="17" must be an integer from 1 to 16/);
});
