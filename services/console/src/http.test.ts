import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Fastify from 'fastify';
import { consoleHttp } from './http.js';

const logger = { warn: () => {} } as never;

function built(): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'ies-console-web-'));
  mkdirSync(path.join(dir, 'assets'));
  writeFileSync(path.join(dir, 'index.html'), '<!doctype html><script type="module" src="/console/assets/index-abc123.js"></script>');
  writeFileSync(path.join(dir, 'assets', 'index-abc123.js'), 'console.log(1)');
  writeFileSync(path.join(dir, 'assets', 'index-abc123.css'), 'body{}');
  return dir;
}

async function app(dir: string) {
  const f = Fastify();
  await f.register(consoleHttp({ logger }, dir).plugin);
  return f;
}

test('index.html is revalidated every time; hashed assets are immutable for a year; both with their content type', async () => {
  const f = await app(built());
  const index = await f.inject({ method: 'GET', url: '/console/' });
  assert.equal(index.statusCode, 200);
  assert.equal(index.headers['content-type'], 'text/html; charset=utf-8');
  assert.equal(index.headers['cache-control'], 'no-cache');
  assert.equal(index.headers['x-content-type-options'], 'nosniff');
  assert.match(index.headers['content-security-policy'] as string, /default-src 'none'; script-src 'self'/);
  for (const [file, type] of [['index-abc123.js', 'text/javascript; charset=utf-8'], ['index-abc123.css', 'text/css; charset=utf-8']]) {
    const res = await f.inject({ method: 'GET', url: `/console/assets/${file}` });
    assert.equal(res.headers['content-type'], type);
    assert.equal(res.headers['cache-control'], 'public, max-age=31536000, immutable');
    const again = await f.inject({ method: 'GET', url: `/console/assets/${file}`, headers: { 'if-none-match': res.headers.etag as string } });
    assert.equal(again.statusCode, 304);
  }
});

test('a page path under /console/ is the app (it routes on the fragment); a missing asset is 404; /console redirects', async () => {
  const f = await app(built());
  assert.match((await f.inject({ method: 'GET', url: '/console/auditor' })).body, /index-abc123\.js/);
  assert.equal((await f.inject({ method: 'GET', url: '/console/assets/index-old.js' })).statusCode, 404);
  const redirect = await f.inject({ method: 'GET', url: '/console' });
  assert.equal(redirect.statusCode, 301);
  assert.equal(redirect.headers.location, '/console/');
});

test('without a build, /console/ says so instead of serving nothing', async () => {
  const f = await app(mkdtempSync(path.join(tmpdir(), 'ies-console-none-')));
  const res = await f.inject({ method: 'GET', url: '/console/' });
  assert.equal(res.statusCode, 404);
  assert.match(res.body, /not built/);
});

test('without IES_CONSOLE_SIGN_IN_LINKS the node has no sign-in link routes: POST /console/sign-in and /console/sign-in-links are 404', async () => {
  const f = await app(built());
  for (const url of ['/console/sign-in', '/console/sign-in-links']) assert.equal((await f.inject({ method: 'POST', url, payload: { code: 'x' } })).statusCode, 404, url);
});
