// The security suite's contract: /openapi.json describes every route the gateway serves, with
// each status it answers; the schemathesis campaign (npm run test:security) holds the routes to it.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import type { RouteOptions } from 'fastify';
import { startHarness, type Json } from './harness.js';

let h: Awaited<ReturnType<typeof startHarness>>;
const served: string[] = [];
let doc: Json;

before(async () => {
  h = await startHarness(1);
  // The routes are declared when the app loads its plugins, on the first request.
  h.app.addHook('onRoute', (route: RouteOptions) => {
    const hidden = (route.schema as { hide?: boolean } | undefined)?.hide === true || route.url.startsWith('/docs');
    for (const method of [route.method].flat()) if (method !== 'HEAD' && !hidden) served.push(`${method} ${route.url.replace(/:(\w+)/g, '{$1}').replace(/\*$/, '{*}')}`);
  });
  const res = await h.app.inject({ method: 'GET', url: '/openapi.json' });
  assert.equal(res.statusCode, 200);
  doc = res.json() as Json;
});
after(async () => {
  await h.close();
});

const operations = () => Object.entries(doc.paths as Json).flatMap(([path, methods]) => Object.entries(methods as Json).map(([method, op]) => ({ id: `${method.toUpperCase()} ${path}`, op: op as Json })));

test('every route the gateway serves is in /openapi.json, and nothing else', () => {
  const documented = operations().map((o) => o.id).sort();
  // The platform routes (/healthz, /readyz, /metrics) are declared by @ies/http in its own plugin.
  for (const platform of ['GET /healthz', 'GET /readyz', 'GET /metrics']) assert.ok(documented.includes(platform), platform);
  assert.deepEqual(documented.filter((id) => !['GET /healthz', 'GET /readyz', 'GET /metrics'].includes(id)), [...new Set(served)].filter((id) => !['GET /healthz', 'GET /readyz', 'GET /metrics'].includes(id)).sort());
  assert.ok(documented.length >= 28, `${documented.length} operations`);
});

test('every operation has a summary, a success and its refusals as problem+json; credentials are security schemes', () => {
  const schemes = Object.keys(doc.components.securitySchemes as Json).sort();
  assert.deepEqual(schemes, ['bearer', 'capability', 'detachedJws']);
  assert.ok(doc.components.schemas.ProblemDetails, 'the problem details schema is a component');
  for (const { id, op } of operations()) {
    assert.ok(typeof op.summary === 'string' && op.summary.length > 0, `${id}: summary`);
    const statuses = Object.keys(op.responses as Json).map(Number);
    assert.ok(statuses.some((s) => s >= 200 && s < 300), `${id}: a success`);
    // /readyz answers 503 with its readiness report, and a witness 409 with the size it holds
    // (text/x.tlog.size, as c2sp.org/tlog-witness says): the refusals that are not problems.
    for (const status of statuses.filter((s) => s >= 400 && !['GET /readyz 503', 'POST /witness/add-checkpoint 409'].includes(`${id} ${s}`))) {
      assert.deepEqual(op.responses[status].content, { 'application/problem+json': { schema: { $ref: '#/components/schemas/ProblemDetails' } } }, `${id} ${status}`);
    }
    const security = (op.security ?? []) as Json[];
    // A witness is open to any log it watches: the checkpoint's signature is the credential (c2sp.org/tlog-witness).
    // The tiled logs (c2sp.org/tlog-tiles) are public by design, like checkpoints (and their history) and keys.
    const isPublic = /^GET \/(healthz|readyz|metrics|\.well-known\/jwks\.json|logs\/\{discom\}\/(checkpoint|tile\/\{\*\})|v1\/checkpoints)$/.test(id) || id === 'POST /v1/p2p/sides' || id.includes(' /witness/');
    if (isPublic) assert.equal(security.length, 0, `${id} is public`);
    else {
      assert.ok(security.length > 0, `${id}: security`);
      assert.ok(statuses.includes(401), `${id}: 401`);
    }
  }
});

test('signed writes document their body per content type without fastify parsing it', () => {
  const ops = Object.fromEntries(operations().map((o) => [o.id, o.op]));
  assert.deepEqual(Object.keys(ops['POST /v1/meter-data']!.requestBody.content).sort(), ['application/ies-meterdata+json', 'application/json', 'application/vc', 'application/vc+ld+json', 'text/csv']);
  assert.deepEqual(Object.keys(ops['POST /v1/registry']!.requestBody.content).sort(), ['application/json', 'application/yaml', 'text/yaml']);
  assert.deepEqual(ops['POST /v1/dr/events']!.security, [{ detachedJws: [] }]);
  assert.ok(!('rawBody' in ops['POST /v1/dr/events']!), 'the documentation key is not leaked');
});

test('response schemas never filter a body: a problem keeps its extension members', async () => {
  const res = await h.app.inject({ method: 'GET', url: '/v1/statements?day=not-a-day', headers: { authorization: 'Bearer a.b.c' } });
  assert.equal(res.statusCode, 400);
  const problem = res.json() as Json;
  assert.equal(problem.code, 'IES_ERR_VALIDATION');
  assert.ok(Array.isArray(problem.errors), 'the validation errors are kept');
});
