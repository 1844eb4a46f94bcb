import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { exportPrivateJwk } from '@ies/crypto';
import { startHarness } from './harness.js';

// The k6 load test signs its requests ahead of time (load-tests/prepare.mjs), since k6 cannot
// sign Ed25519. k6 is built only by `npm run loadtest`, so CI checks the part that can rot
// without it: what prepare.mjs writes is accepted by a real gateway (it once was not, after
// writes had to be bound to their request).
const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../../..');
let h: Awaited<ReturnType<typeof startHarness>>;
let url: string;
const work = mkdtempSync(path.join(tmpdir(), 'ies-k6-prepare-'));

before(async () => {
  h = await startHarness(1);
  url = await h.app.listen({ host: '127.0.0.1', port: 0 });
});
after(async () => {
  await h.close();
  rmSync(work, { recursive: true, force: true });
});

test("load-tests/prepare.mjs registers its fleet and writes batches the gateway accepts (202, each read once)", async () => {
  const keyFile = path.join(work, 'operator.private.jwk.json');
  writeFileSync(keyFile, JSON.stringify(await exportPrivateJwk(h.operator)));
  const out = path.join(work, 'requests.json');
  const tenant = h.tenants[0]!;
  await promisify(execFile)('node', ['load-tests/prepare.mjs', '--url', url, '--discom', tenant, '--operator-key', keyFile, '--count', '3', '--meters', '10', '--batch-reads', '20', '--out', out], { cwd: ROOT });
  const prepared = JSON.parse(readFileSync(out, 'utf8')) as { readsPerRequest: number; requests: { body: string; signature: string }[] };
  assert.equal(prepared.requests.length, 3);
  for (const r of prepared.requests) {
    const res = await fetch(`${url}/v1/meter-data`, { method: 'POST', headers: { 'content-type': 'text/csv', 'x-ies-signature': r.signature }, body: r.body });
    const answer = (await res.json()) as { counts?: { accepted: number; rejected: number } };
    assert.equal(res.status, 202, JSON.stringify(answer));
    assert.deepEqual(answer.counts, { reads: prepared.readsPerRequest, accepted: prepared.readsPerRequest, rejected: 0 });
  }
});
