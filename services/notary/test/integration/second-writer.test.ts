import { strict as assert } from 'node:assert';
import { spawn } from 'node:child_process';
import { after, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { createLogger } from '@ies/observability';
import { eventually, nullStream } from '@ies/testing';
import { verifyCheckpointConsistency } from '@ies/verify';
import { startNotaryService } from '../../src/index.js';
import { checkpointSize, notaryFixture } from './support.js';

const fx = await notaryFixture();
const quiet = () => createLogger({ name: 'it', level: 'silent' }, nullStream());
const fatalB: Error[] = [];
// The first writer runs as its own process, as in production, where a fenced notary exits.
const bin = fileURLToPath(new URL('../../src/bin.js', import.meta.url));
const a = spawn(process.execPath, [bin], { env: { ...fx.env, IES_LOG_LEVEL: 'silent' }, stdio: 'ignore' });
const exitOfA = new Promise<number | null>((resolve) => a.on('exit', (code) => resolve(code)));
let b: Awaited<ReturnType<typeof startNotaryService>> | undefined;
after(async () => {
  if (a.exitCode === null && a.signalCode === null) a.kill('SIGKILL');
  await b?.stop();
  await fx.close();
});

test('a second notary for a tenant fences the first before it reads the log: one history, no two trees of one size', async () => {
  const ids: string[] = [];
  for (let i = 0; i < 4; i++) ids.push(await fx.produceBatch({ reads: 1 + i }));
  await eventually(async () => {
    const cp = await fx.store.checkpoint();
    return cp && checkpointSize(cp) === ids.length ? cp : undefined;
  }, 30_000, 'the first writer notarised the first batches');
  // Batches keep arriving while the second writer starts: the first must not append any of
  // them after the second has read the log.
  const producing = (async () => {
    for (let i = 0; i < 12; i++) {
      ids.push(await fx.produceBatch({ reads: 2 }));
      await new Promise((r) => setTimeout(r, 150));
    }
  })();
  b = await startNotaryService(fx.env, { onFatal: (e) => fatalB.push(e), logger: quiet() });
  await producing;
  await eventually(async () => {
    const cp = await fx.store.checkpoint();
    return cp && checkpointSize(cp) === ids.length ? cp : undefined;
  }, 60_000, 'every batch notarised');
  const code = await Promise.race([exitOfA, new Promise<'running'>((r) => setTimeout(() => r('running'), 30_000))]);
  assert.notEqual(code, 'running', 'the first writer stopped, fenced');
  assert.notEqual(code, 0, 'the fenced writer exits with a failure');
  assert.deepEqual(fatalB, [], 'the second writer runs on');
  const records = await fx.committedReceipts();
  assert.deepEqual(records.map((r) => r.logIndex), ids.map((_, i) => i), 'one entry per log index: no index written twice');
  assert.deepEqual(new Set(records.map((r) => r.batchId)), new Set(ids), 'each batch once');
  // Every checkpoint the receipts carry is consistent with the last one.
  const trust = await fx.trust();
  const last = records[records.length - 1]!.checkpoint;
  for (const r of records) {
    if (checkpointSize(r.checkpoint) === checkpointSize(last)) continue;
    const proof = await fx.consistency(r.checkpoint, last);
    const v = verifyCheckpointConsistency(r.checkpoint, last, proof, trust);
    assert.ok(v.ok, v.ok ? '' : `checkpoint of size ${checkpointSize(r.checkpoint)}: ${v.reason}`);
  }
});
