import { test } from 'node:test';
import type { InjectOptions } from 'fastify';
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { IesError } from '@ies/errors';
import { createLogger, createMetricsRegistry } from '@ies/observability';
import { buildHttpApp } from './app.js';

const quiet = createLogger({ name: 'test', level: 'silent' }, new Writable({ write: (_c, _e, cb) => cb() }));

function app(readinessOk: boolean) {
  const a = buildHttpApp({
    logger: quiet,
    metrics: createMetricsRegistry('test'),
    readiness: [{ name: 'kafka', check: async () => { if (!readinessOk) throw new Error('broker 127.0.0.1:9092 refused'); } }],
    bodyLimit: 64,
  });
  a.get('/boom', async () => { throw new IesError('IES_ERR_DEPENDENCY_UNAVAILABLE', 'Kafka did not acknowledge in 5000 ms'); });
  a.get('/ids/:id', { schema: { params: { type: 'object', properties: { id: { type: 'string', maxLength: 400 } } } } }, async (req) => req.params);
  a.post('/echo', { schema: { body: { type: 'object', required: ['n'], properties: { n: { type: 'integer' } } } } }, async (req) => req.body);
  return a;
}

test('/healthz answers without touching dependencies', async () => {
  const res = await app(false).inject('/healthz');
  assert.equal(res.statusCode, 200);
});

test('/readyz is 503 naming the failing dependency', async () => {
  const res = await app(false).inject('/readyz');
  assert.equal(res.statusCode, 503);
  assert.equal(res.json().checks.kafka.error, 'broker 127.0.0.1:9092 refused');
  assert.equal((await app(true).inject('/readyz')).statusCode, 200);
});

test('/metrics serves Prometheus text', async () => {
  const res = await app(true).inject('/metrics');
  assert.equal(res.statusCode, 200);
  assert.match(res.body, /ies_process_cpu_user_seconds_total/);
});

test('errors are application/problem+json with stable codes', async () => {
  const a = app(true);
  const boom = await a.inject('/boom');
  assert.equal(boom.statusCode, 503);
  assert.match(boom.headers['content-type'] as string, /^application\/problem\+json/);
  assert.equal(boom.json().code, 'IES_ERR_DEPENDENCY_UNAVAILABLE');
  assert.equal(boom.json().retriable, true);
  assert.equal(boom.headers['retry-after'], '5');

  const invalid = await a.inject({ method: 'POST', url: '/echo', payload: { n: 'x' } });
  assert.equal(invalid.statusCode, 400);
  assert.equal(invalid.json().code, 'IES_ERR_VALIDATION');

  const big = await a.inject({ method: 'POST', url: '/echo', payload: { n: 1, pad: 'x'.repeat(100) } });
  assert.equal(big.statusCode, 413);
  assert.equal(big.json().code, 'IES_ERR_PAYLOAD_TOO_LARGE');

  const missing = await a.inject('/nope');
  assert.equal(missing.statusCode, 404);
  assert.equal(missing.json().code, 'IES_ERR_NOT_FOUND');
});

test('a path parameter as long as the longest legal id is routed (a batch id with a 128-character jti)', async () => {
  const batchId = `${'H'.repeat(128)}:${'j'.repeat(128)}`;
  const res = await app(true).inject(`/ids/${encodeURIComponent(batchId)}`);
  assert.equal(res.statusCode, 200, res.body);
  assert.equal(res.json().id, batchId);
});

test('errors fastify raises before a route runs are problem+json with stable codes', async () => {
  const a = app(true);
  const cases: { req: string | InjectOptions; status: number; code: string }[] = [
    { req: `/ids/${'x'.repeat(258)}`, status: 414, code: 'IES_ERR_URI_TOO_LONG' },
    { req: '/ids/%E0%A4%A', status: 400, code: 'IES_ERR_BAD_REQUEST' },
    { req: { method: 'POST', url: '/echo', headers: { 'content-type': 'application/json' }, payload: '{"n":' }, status: 400, code: 'IES_ERR_BODY_MALFORMED' },
    { req: { method: 'POST', url: '/echo', headers: { 'content-type': 'application/json' }, payload: '' }, status: 400, code: 'IES_ERR_BODY_MALFORMED' },
    { req: { method: 'POST', url: '/echo', headers: { 'content-type': 'application/json' }, payload: '{"n":1,"__proto__":{"x":1}}' }, status: 400, code: 'IES_ERR_BODY_MALFORMED' },
    { req: { method: 'POST', url: '/echo', headers: { 'content-type': 'application/x-unknown' }, payload: 'n=1' }, status: 415, code: 'IES_ERR_UNSUPPORTED_MEDIA_TYPE' },
    { req: { method: 'PUT', url: '/echo' }, status: 404, code: 'IES_ERR_NOT_FOUND' },
  ];
  for (const c of cases) {
    const res = await a.inject(c.req);
    assert.equal(res.statusCode, c.status, `${JSON.stringify(c.req)}: ${res.body}`);
    assert.match(res.headers['content-type'] as string, /^application\/problem\+json/, JSON.stringify(c.req));
    assert.equal(res.json().code, c.code, JSON.stringify(c.req));
  }
});
