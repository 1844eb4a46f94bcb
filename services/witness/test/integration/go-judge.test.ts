import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { uniqueTenant } from '@ies/testing';
import { TestLog } from '../test-log.js';
import { startWitness } from './support.js';

/**
 * The witness judged by code the project did not write: tools/witness-check (Go) plays a log
 * with golang.org/x/mod's sumdb/tlog and sumdb/note and checks our answers with
 * transparency-dev/formats' cosignature/v1 verifier (its checks: docs/witness.md).
 */
const root = fileURLToPath(new URL('../../../../../', import.meta.url));
// Built once into .cache/ (first build on a fresh machine fetches the modules: about a minute).
const build = spawnSync('bash', [`${root}tools/witness-check/build.sh`], { encoding: 'utf8', timeout: 600_000 });
assert.equal(build.status, 0, `tools/witness-check/build.sh failed: ${build.stderr}`);
const judge = build.stdout.trim();

const origin = `ies.test/${uniqueTenant('WJ')}/go-log`;
const keygen = spawnSync(judge, ['keygen', origin], { encoding: 'utf8' });
assert.equal(keygen.status, 0, keygen.stderr);
const [skey, vkey] = keygen.stdout.trim().split('\n') as [string, string];

function runJudge(url: string): Promise<{ code: number | null; out: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(judge, ['run', '-witness', url], { env: { ...process.env, WITNESS_CHECK_SKEY: skey }, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, out }));
  });
}

test('the Go judge, a log of its own, gets every check right from our witness', async () => {
  const witness = await startWitness([vkey], 'ies.test/go-judged-witness');
  after(() => witness.close([origin]));
  const { code, out } = await runJudge(await witness.listen());
  assert.equal(code, 0, out);
  assert.doesNotMatch(out, /^not ok/m);
  const passed = /^witness-check: all (\d+) checks passed$/m.exec(out);
  assert.ok(passed && Number(passed[1]) >= 15, out);
  assert.equal(await witness.redis.hget(`ies:witness:${origin}`, 'size'), '310');
});

test('the judge is not vacuous: against a witness that does not watch its log it fails', async () => {
  const witness = await startWitness([new TestLog('ies.test/someone-else').vkey], 'ies.test/blind-witness');
  after(() => witness.close([]));
  const { code, out } = await runJudge(await witness.listen());
  assert.equal(code, 1, out);
  assert.match(out, /^not ok \d+ - old 0: the first checkpoint \(size 5\) is cosigned: status 404/m);
});
