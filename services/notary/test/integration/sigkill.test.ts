import { strict as assert } from 'node:assert';
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, test } from 'node:test';
import { eventually } from '@ies/testing';
import { receiptFromJws, verifyCheckpointConsistency, verifyReceipt } from '@ies/verify';
import { checkpointSize, notaryFixture } from './support.js';

const BIN = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../src/bin.js');
const fx = await notaryFixture();
const children: ChildProcess[] = [];
after(async () => {
  for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
  await fx.close();
});

function startNotary(): ChildProcess {
  const child = spawn(process.execPath, [BIN], { env: fx.env, stdio: ['ignore', 'ignore', 'inherit'] });
  children.push(child);
  return child;
}

test('SIGKILL mid-stream: after restart every batch is in the log exactly once, consistently, with one receipt each', async () => {
  const ids: string[] = [];
  let producing = true;
  const stream = (async () => {
    while (producing) {
      ids.push(await fx.produceBatch({ reads: 1 + (ids.length % 11) }));
      await new Promise((r) => setTimeout(r, 20));
    }
  })();
  const first = startNotary();
  const before = await eventually(async () => {
    const cp = await fx.store.checkpoint();
    return cp && checkpointSize(cp) >= 20 ? cp : undefined;
  }, 60_000, 'a checkpoint of ≥ 20 entries before the kill');
  first.kill('SIGKILL');
  await new Promise((r) => first.once('exit', r));
  await new Promise((r) => setTimeout(r, 1500)); // batches keep arriving while the notary is down
  startNotary();
  await new Promise((r) => setTimeout(r, 1500));
  producing = false;
  await stream;
  const after = await eventually(async () => {
    const cp = await fx.store.checkpoint();
    return cp && checkpointSize(cp) === ids.length ? cp : undefined;
  }, 60_000, `all ${ids.length} batches in the log`);
  const trust = await fx.trust();
  const consistent = verifyCheckpointConsistency(before, after, await fx.consistency(before, after), trust);
  assert.ok(consistent.ok, consistent.ok ? '' : consistent.reason);
  const records = await fx.committedReceipts();
  assert.equal(records.length, ids.length, 'one receipts.v1 record per batch');
  assert.deepEqual(records.map((r) => r.logIndex), ids.map((_, i) => i));
  assert.deepEqual(new Set(records.map((r) => r.batchId)), new Set(ids));
  for (const id of ids) {
    const jws = await fx.store.receipt(id);
    assert.ok(jws, `receipt of ${id}`);
    const r = await verifyReceipt(receiptFromJws(jws), trust);
    assert.ok(r.ok, r.ok ? '' : r.reason);
  }
});
