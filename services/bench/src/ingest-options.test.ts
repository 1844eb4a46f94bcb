import { strict as assert } from 'node:assert';
import { test } from 'node:test';
import { parseOptions, TARGETS } from './ingest.js';

test('bench:ingest takes --gateways 1–8 (or IES_BENCH_GATEWAYS), one by default', () => {
  const o = parseOptions(['--gateways', '4'], {});
  assert.ok(o !== 'help');
  assert.equal(o.gateways, 4);
  const d = parseOptions([], {});
  assert.ok(d !== 'help');
  assert.equal(d.gateways, 1);
  const e = parseOptions([], { IES_BENCH_GATEWAYS: '2' });
  assert.ok(e !== 'help');
  assert.equal(e.gateways, 2);
  assert.throws(() => parseOptions(['--gateways', '0'], {}), /--gateways/);
  assert.throws(() => parseOptions(['--gateways', '9'], {}), /--gateways/);
});

test("issue 19's ingest targets", () => {
  assert.deepEqual({ ratio: TARGETS.ratioToRaw, gateway: TARGETS.gatewayCpuUsPerRead, notary: TARGETS.notaryCpuUsPerRead, receipt: TARGETS.receiptP99Ms }, { ratio: 0.25, gateway: 2.5, notary: 0.5, receipt: 2000 });
});

test('bench:ingest warms up with 3,000 batches and times 8,000 by default; --warmup-batches 0 turns the warm-up off', () => {
  const d = parseOptions([], {});
  assert.ok(d !== 'help');
  assert.equal(d.warmupBatches, 3000);
  assert.equal(d.batches, 8000);
  const off = parseOptions(['--warmup-batches', '0'], {});
  assert.ok(off !== 'help');
  assert.equal(off.warmupBatches, 0);
  const e = parseOptions([], { IES_BENCH_WARMUP_BATCHES: '50' });
  assert.ok(e !== 'help');
  assert.equal(e.warmupBatches, 50);
  assert.throws(() => parseOptions(['--warmup-batches', '-1'], {}), /--warmup-batches/);
});
