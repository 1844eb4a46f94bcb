import { test } from 'node:test';
import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { Writable } from 'node:stream';
import { loadConfig } from '@ies/config';
import { createLogger, createMetricsRegistry } from '@ies/observability';
import { buildHttpApp, type HttpAppOptions } from './app.js';

// Real sockets on 127.0.0.1: what Node answers before fastify sees a request cannot be injected.
const quiet = createLogger({ name: 'test', level: 'silent' }, new Writable({ write: (_c, _e, cb) => cb() }));

async function listening(extra: Partial<HttpAppOptions> = {}) {
  const app = buildHttpApp({ logger: quiet, metrics: createMetricsRegistry('test'), readiness: [], ...extra });
  app.post('/echo', async (req) => req.body);
  await app.listen({ host: '127.0.0.1', port: 0 });
  const address = app.server.address();
  if (address === null || typeof address === 'string') throw new Error('no TCP address');
  return { app, port: address.port };
}

/** Writes `chunks` (each after the previous was flushed) and collects what comes back until the server closes. */
function exchange(port: number, chunks: readonly string[]): Promise<{ text: string; closedByServer: boolean }> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port });
    let text = '';
    socket.setEncoding('utf8');
    socket.on('data', (d: string) => { text += d; });
    socket.on('error', (err: NodeJS.ErrnoException) => (err.code === 'ECONNRESET' ? undefined : reject(err)));
    socket.on('close', () => resolve({ text, closedByServer: true }));
    socket.on('connect', () => { for (const c of chunks) socket.write(c); });
  });
}

function problemOf(raw: string): { status: number; contentType: string; body: Record<string, unknown> } {
  const [head, body] = raw.split('\r\n\r\n', 2) as [string, string];
  const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(head)?.[1]);
  const contentType = /content-type: ([^\r\n]+)/i.exec(head)?.[1] ?? '';
  return { status, contentType, body: JSON.parse(body) as Record<string, unknown> };
}

test('431: a request whose headers exceed the limit gets problem+json IES_ERR_HEADERS_TOO_LARGE', async () => {
  const { app, port } = await listening();
  try {
    const { text } = await exchange(port, [`GET /healthz HTTP/1.1\r\nHost: x\r\nX-Pad: ${'a'.repeat(20_000)}\r\n\r\n`]);
    const p = problemOf(text);
    assert.equal(p.status, 431);
    assert.match(p.contentType, /^application\/problem\+json/);
    assert.equal(p.body.code, 'IES_ERR_HEADERS_TOO_LARGE');
  } finally {
    await app.close();
  }
});

test('400: a malformed request line gets problem+json IES_ERR_BAD_REQUEST', async () => {
  const { app, port } = await listening();
  try {
    const { text } = await exchange(port, ['NOT HTTP AT ALL\r\n\r\n']);
    const p = problemOf(text);
    assert.equal(p.status, 400);
    assert.equal(p.body.code, 'IES_ERR_BAD_REQUEST');
  } finally {
    await app.close();
  }
});

// Small bounds, set the way an operator would, so the test is quick; the assertions are on
// what the server does, not when.
const SHORT = loadConfig({ IES_HTTP_REQUEST_TIMEOUT_MS: '400', IES_HTTP_HEADERS_TIMEOUT_MS: '300', IES_HTTP_CONNECTION_TIMEOUT_MS: '30000', IES_HTTP_KEEP_ALIVE_TIMEOUT_MS: '30000' }).http;

test('a request whose body stops half way is answered 408 problem+json and its connection closed', { timeout: 20_000 }, async () => {
  const { app, port } = await listening({ timeouts: SHORT });
  try {
    const head = 'POST /echo HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 40\r\n\r\n';
    const { text, closedByServer } = await exchange(port, [head, '{"n":1,"pad":"xx']);
    assert.ok(closedByServer);
    const p = problemOf(text);
    assert.equal(p.status, 408);
    assert.match(p.contentType, /^application\/problem\+json/);
    assert.equal(p.body.code, 'IES_ERR_REQUEST_TIMEOUT');
    assert.equal(p.body.retriable, true);
  } finally {
    await app.close();
  }
});

test('headers that never finish are answered 408 and the connection closed', { timeout: 20_000 }, async () => {
  const { app, port } = await listening({ timeouts: { ...SHORT, requestTimeoutMs: 30_000 } });
  try {
    const { text } = await exchange(port, ['POST /echo HTTP/1.1\r\nHost: x\r\nX-Slow: a']);
    assert.equal(problemOf(text).body.code, 'IES_ERR_REQUEST_TIMEOUT');
  } finally {
    await app.close();
  }
});

// Only the idle timeout is short here: the headers timeout would also close a silent connection (with a 408).
test('an idle connection is closed after the connection timeout', { timeout: 20_000 }, async () => {
  const { app, port } = await listening({ timeouts: { ...SHORT, requestTimeoutMs: 30_000, headersTimeoutMs: 30_000, connectionTimeoutMs: 300, keepAliveTimeoutMs: 300 } });
  try {
    const { text, closedByServer } = await exchange(port, []);
    assert.ok(closedByServer);
    assert.equal(text, '');
  } finally {
    await app.close();
  }
});
