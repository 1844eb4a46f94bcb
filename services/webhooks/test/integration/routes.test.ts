import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { IesError } from '@ies/errors';
import { buildHttpApp } from '@ies/http';
import { createLogger, createMetricsRegistry } from '@ies/observability';
import { createRedis } from '@ies/redis';
import { nullStream, stackConfig, uniqueTenant } from '@ies/testing';
import { WebhookRegistry } from '../../src/index.js';
import { webhookRoutes } from '../../src/http/index.js';

const config = stackConfig();
const redis = createRedis(config);
const tenant = uniqueTenant('WH');
const webhooks = new WebhookRegistry(redis);
after(async () => {
  const keys = await redis.keys(`ies:${tenant}:webhook:*`);
  if (keys.length > 0) await redis.del(...keys);
  redis.disconnect();
});

// Stands in for the gateway's bearer-token authentication: the header names the caller.
const app = buildHttpApp({ logger: createLogger({ name: 'test', level: 'silent' }, nullStream()), metrics: createMetricsRegistry('test'), readiness: [] });
webhookRoutes(app, {
  webhooks,
  now: () => Date.UTC(2026, 10, 21),
  authenticate: (req) => {
    const who = req.headers['x-test-caller'];
    if (typeof who !== 'string') throw new IesError('IES_ERR_AUTH_MISSING', 'no bearer token');
    const [participantId = '', role = ''] = who.split('/');
    return { discomId: tenant, participantId, role };
  },
});
const as = (caller: string) => ({ 'x-test-caller': caller });

test('an aggregator registers, reads, replaces and removes its webhook', async () => {
  let res = await app.inject({ method: 'PUT', url: '/v1/dr/webhook', headers: as('AGG-1/AGGREGATOR'), payload: { url: 'https://agg.example.in/ies' } });
  assert.equal(res.statusCode, 200, res.body);
  assert.deepEqual(res.json(), { aggregatorId: 'AGG-1', url: 'https://agg.example.in/ies', registeredAt: '2026-11-21T00:00:00.000Z' });
  assert.deepEqual(JSON.parse((await redis.get(`ies:${tenant}:webhook:AGG-1`)) ?? 'null'), { url: 'https://agg.example.in/ies', registeredAt: '2026-11-21T00:00:00.000Z' });

  res = await app.inject({ method: 'PUT', url: '/v1/dr/webhook', headers: as('AGG-1/AGGREGATOR'), payload: { url: 'https://agg.example.in/v2' } });
  assert.equal(res.json().url, 'https://agg.example.in/v2');
  res = await app.inject({ method: 'GET', url: '/v1/dr/webhook', headers: as('AGG-1/AGGREGATOR') });
  assert.equal(res.json().url, 'https://agg.example.in/v2');

  res = await app.inject({ method: 'DELETE', url: '/v1/dr/webhook', headers: as('AGG-1/AGGREGATOR') });
  assert.equal(res.statusCode, 204);
  res = await app.inject({ method: 'DELETE', url: '/v1/dr/webhook', headers: as('AGG-1/AGGREGATOR') });
  assert.equal(res.statusCode, 404);
  assert.equal(res.json().code, 'IES_ERR_NOT_FOUND');
  assert.equal(await webhooks.get(tenant, 'AGG-1'), undefined);
});

test('bad URLs, bodies and callers are refused with problem+json', async () => {
  const cases: [Record<string, string>, unknown, number, string][] = [
    [as('AGG-1/AGGREGATOR'), { url: 'http://agg.example.in/ies' }, 400, 'IES_ERR_VALIDATION'],
    [as('AGG-1/AGGREGATOR'), { url: 'http://127.0.0.1:9/ies' }, 400, 'IES_ERR_VALIDATION'], // loopback http is off by default
    [as('AGG-1/AGGREGATOR'), { url: 'https://u:p@agg.example.in/' }, 400, 'IES_ERR_VALIDATION'],
    [as('AGG-1/AGGREGATOR'), { url: 'https://169.254.169.254/latest/meta-data/' }, 400, 'IES_ERR_WEBHOOK_ADDRESS_FORBIDDEN'], // cloud metadata
    [as('AGG-1/AGGREGATOR'), { url: 'https://10.0.0.7/ies' }, 400, 'IES_ERR_WEBHOOK_ADDRESS_FORBIDDEN'],
    [as('AGG-1/AGGREGATOR'), { url: 'https://localhost:6379/' }, 400, 'IES_ERR_WEBHOOK_ADDRESS_FORBIDDEN'],
    [as('AGG-1/AGGREGATOR'), { href: 'https://agg.example.in/' }, 400, 'IES_ERR_VALIDATION'],
    [as('DISCOM-1/DISCOM'), { url: 'https://agg.example.in/' }, 403, 'IES_ERR_TENANT_FORBIDDEN'],
    [{}, { url: 'https://agg.example.in/' }, 401, 'IES_ERR_AUTH_MISSING'],
  ];
  for (const [headers, payload, status, code] of cases) {
    const res = await app.inject({ method: 'PUT', url: '/v1/dr/webhook', headers, payload: payload as object });
    assert.equal(res.statusCode, status, `${JSON.stringify(payload)}: ${res.body}`);
    assert.match(String(res.headers['content-type']), /application\/problem\+json/);
    assert.equal(res.json().code, code);
  }
  assert.equal(await webhooks.get(tenant, 'AGG-1'), undefined);
});
