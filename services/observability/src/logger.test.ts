import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { createLogger } from './logger.js';

test('secrets are redacted from log lines', () => {
  const lines: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _enc, cb) {
      lines.push(chunk.toString());
      cb();
    },
  });
  const log = createLogger({ name: 't', level: 'info' }, sink);
  log.info({ key: { kty: 'OKP', d: 'PRIVATE', x: 'public' }, password: 'pw', req: { headers: { authorization: 'Bearer tok' } } }, 'hello');
  const out = lines.join('');
  assert.ok(out.includes('public'));
  for (const secret of ['PRIVATE', '"pw"', 'Bearer tok']) assert.ok(!out.includes(secret), `${secret} leaked: ${out}`);
});
