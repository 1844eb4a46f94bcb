import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { createClickHouse, clickhouseReadiness } from '@ies/clickhouse';
import { createKafka, kafkaReadiness, registryReadiness } from '@ies/kafka';
import { createLogger, createMetricsRegistry } from '@ies/observability';
import { createRedis, redisReadiness } from '@ies/redis';
import { nullStream, stackConfig } from '@ies/testing';
import { buildHttpApp } from '../../src/index.js';

const config = stackConfig({}, 'gateway');
const logger = createLogger({ name: 'it', level: 'silent' }, nullStream());
const admin = createKafka(config, logger).admin();
const clickhouse = createClickHouse(config, { database: 'default' });
const redis = createRedis(config);
after(async () => {
  await admin.disconnect();
  await clickhouse.close();
  redis.disconnect();
});

test('/readyz checks the real Kafka, registry, ClickHouse and Redis', async () => {
  await admin.connect();
  const app = buildHttpApp({
    logger,
    metrics: createMetricsRegistry('it'),
    readiness: [kafkaReadiness(admin), registryReadiness(config.registry.url), clickhouseReadiness(clickhouse), redisReadiness(redis)],
  });
  const res = await app.inject('/readyz');
  assert.equal(res.statusCode, 200, res.body);
  assert.deepEqual(Object.keys(res.json().checks).sort(), ['clickhouse', 'kafka', 'redis', 'schema-registry']);
});

test('/readyz names a dependency that does not answer', async () => {
  const app = buildHttpApp({
    logger,
    metrics: createMetricsRegistry('it'),
    readiness: [registryReadiness('http://127.0.0.1:1/apis/ccompat/v7')],
  });
  const res = await app.inject('/readyz');
  assert.equal(res.statusCode, 503);
  assert.equal(res.json().checks['schema-registry'].ok, false);
});
