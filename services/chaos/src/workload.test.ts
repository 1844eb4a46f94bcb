import { test } from 'node:test';
import assert from 'node:assert/strict';
import { causeOf } from './client.js';
import { buildBatches, buildFleets, type WorkloadOptions } from './workload.js';

const o: WorkloadOptions = { discoms: ['DEMO-DL', 'PEER-DL'], day: '2026-12-02', seed: 13, metersPerDiscom: 6, rowsPerBatch: 96, faultRate: 0.02 };

test('the same seed gives the same batches in both passes (ids and bodies), whatever the head-end keys', async () => {
  const [a, b] = [buildBatches(o, await buildFleets(o)), buildBatches(o, await buildFleets(o))];
  assert.deepEqual(a.map((x) => [x.jti, x.body.toString('hex')]), b.map((x) => [x.jti, x.body.toString('hex')]));
  assert.equal(new Set(a.map((x) => `${x.headEndId}:${x.jti}`)).size, a.length, 'every batch id is unique');
});

test('batches interleave the DISCOMs, so both see every fault of the schedule', async () => {
  const batches = buildBatches(o, await buildFleets(o));
  assert.deepEqual(batches.slice(0, 4).map((x) => x.discomId), ['DEMO-DL', 'DEMO-DL', 'PEER-DL', 'PEER-DL']);
  assert.ok(batches.every((x) => x.reads <= 2 * o.rowsPerBatch + 10));
});

test('bad reads are offered: unregistered meters and negative deltas among them', async () => {
  const lines = buildBatches(o, await buildFleets(o)).flatMap((x) => x.body.toString().split('\n'));
  assert.ok(lines.some((l) => l.includes('-UNREGISTERED') || /,-\d/.test(l)));
});

test('a 503 is attributed to what its problem detail names', () => {
  assert.equal(causeOf({ detail: 'the replay ledger of DEMO-DL is being rebuilt (Redis lost it); message X was not claimed, retry it unchanged' }), 'replay ledger rebuild');
  assert.equal(causeOf({ detail: 'the notary of DEMO-DL is 1200 ms past its checkpoint interval (limit 1000 ms); retry the same batch shortly' }), 'notary back-pressure');
  assert.equal(causeOf({ detail: 'the DR event store of DEMO-DL is being rebuilt from dr-events.v1 (Redis lost it); nothing was written, retry the request unchanged' }), 'owner store rebuild');
  assert.equal(causeOf({}), 'other');
});
