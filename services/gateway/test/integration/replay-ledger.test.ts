// Redis loses the gateway's replay ledger (the test tenant's keys and marker are deleted;
// the shared Redis is never flushed). Retries are refused until the keeper has rebuilt the
// ledger from meter-batches.v1, then get their first answer back; no batch is written twice.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { TOPICS, topicName } from '@ies/contracts';
import { generateSigningKey, signDetached, type KeyPair } from '@ies/crypto';
import { ACKS_ALL, replayTopic } from '@ies/kafka';
import { eventually } from '@ies/testing';
import { CSV_HEADER, istBlocks, registryYaml, startHarness, type Json } from './harness.js';

// Long enough for the test to land a record between the keeper's two passes.
const GRACE_MS = 3_000;
let h: Awaited<ReturnType<typeof startHarness>>;
let key: KeyPair;
let tenant: string;
const blocks = istBlocks(8);

before(async () => {
  h = await startHarness(1, {}, { ledgerGraceMs: GRACE_MS, ledgerIntervalMs: 250 });
  tenant = h.tenants[0] as string;
  key = await generateSigningKey('EdDSA');
  const applied = await h.applyRegistry(registryYaml(tenant, { id: 'HES-1', keys: [key] }, [{ id: 'M-1' }, { id: 'M-2' }]));
  assert.equal(applied.statusCode, 200, applied.body);
});
after(async () => {
  await h.close();
});

/** One head-end request, signed once, so a retry sends exactly the same bytes. */
async function signedBatch(rows: string[], jti = `B-${randomUUID()}`) {
  const body = Buffer.from(`${CSV_HEADER}\n${rows.join('\n')}\n`);
  const signature = await signDetached(body, key, { iat: Math.floor(Date.now() / 1000), jti, htm: 'POST', htu: '/v1/meter-data', tenant });
  return { body, jti, send: () => h.submit(body, key, { jti, signature }) };
}

async function ledgerKeys(): Promise<string[]> {
  return h.scanKeys(`ies:${tenant}:msg:*`);
}

async function batchIdsOnTopic(): Promise<string[]> {
  const admin = h.kafka.admin();
  await admin.connect();
  const ids: string[] = [];
  try {
    await replayTopic({ kafka: h.kafka, admin, topic: topicName(tenant, TOPICS.meterBatches), groupId: `it-ledger-${randomUUID()}` }, async (r) => {
      ids.push((await h.serde.decode<Json>(r.value)).batchId as string);
    });
  } finally {
    await admin.disconnect();
  }
  return ids.sort();
}

test('after Redis loses the ledger, retries get 503 until it is rebuilt, then their first answer; nothing is written twice', async () => {
  const accepted: { batch: Awaited<ReturnType<typeof signedBatch>>; answer: Json }[] = [];
  for (const [i, block] of blocks.slice(0, 3).entries()) {
    const batch = await signedBatch([`M-1,${block},${100 + i},0,VALID`, `M-2,${block},50,0,VALID`, `M-9,${block},5,0,VALID`]);
    const { res, json } = await batch.send();
    assert.equal(res.statusCode, 202, res.body);
    accepted.push({ batch, answer: json() });
  }
  assert.equal(accepted[0]?.answer.counts.rejected, 2, 'M-9 is not registered: its reads are in the answer');

  // The record a late write will carry (read now: joining a consumer group takes seconds).
  const late = await signedBatch([`M-1,${blocks[2]},102,0,VALID`, `M-2,${blocks[2]},50,0,VALID`, `M-9,${blocks[2]},5,0,VALID`]);
  const lateValue = await h.serde.encode(tenant, TOPICS.meterBatches, { ...(await findRecord(`HES-1:${accepted[2]?.batch.jti}`)), batchId: `HES-1:${late.jti}` });

  // The loss: every ledger record of the tenant and its marker.
  const lost = await ledgerKeys();
  assert.ok(lost.includes(`ies:${tenant}:msg:ledger`), 'the marker was set at start');
  const lostAt = Date.now();
  await h.redis.del(...lost);

  const first = accepted[0] as (typeof accepted)[number];
  const refused = await first.batch.send();
  assert.equal(refused.res.statusCode, 503, refused.res.body);
  assert.ok(Number(refused.res.headers['retry-after']) > 0);
  assert.match(refused.json().detail as string, /replay ledger of .* is being rebuilt/);

  // A write that was in flight at the loss lands while the keeper waits: the copy of the third
  // batch's record under a new id, produced after the keeper's first pass restored the others.
  await eventually(async () => ((await h.redis.exists(`ies:${tenant}:msg:HES-1:${accepted[2]?.batch.jti}`)) === 1 ? true : undefined), 30_000, 'the first pass of the rebuild');
  assert.equal(await h.redis.exists(`ies:${tenant}:msg:ledger`), 0, 'still inside the grace');
  await h.deps.producer.send({ topic: topicName(tenant, TOPICS.meterBatches), acks: ACKS_ALL, messages: [{ key: `HES-1:${late.jti}`, value: lateValue }] });

  // (a) the retry is refused until the ledger is whole, then gets the first answer back.
  let refusals = 1;
  const replay = await eventually(async () => {
    const r = await first.batch.send();
    if (r.res.statusCode === 503) {
      refusals++;
      return undefined;
    }
    return r;
  }, 60_000, 'the rebuilt ledger');
  const recoveredMs = Date.now() - lostAt;
  console.log(`replay ledger: ${lost.length} keys lost; first replayed answer ${recoveredMs} ms after the loss (keeper grace ${GRACE_MS} ms, ${refusals} retries refused with 503)`);
  assert.equal(replay.res.statusCode, 202, replay.res.body);
  assert.equal(replay.res.headers['idempotent-replayed'], 'true');
  assert.deepEqual(replay.json(), first.answer);
  for (const { batch, answer } of accepted.slice(1)) {
    const again = await batch.send();
    assert.equal(again.res.headers['idempotent-replayed'], 'true');
    assert.deepEqual(again.json(), answer);
  }
  // The write that landed during the rebuild is answered from its record, not written again.
  const lateReplay = await late.send();
  assert.equal(lateReplay.res.statusCode, 202, lateReplay.res.body);
  assert.equal(lateReplay.res.headers['idempotent-replayed'], 'true');
  assert.equal(lateReplay.json().batchId, `HES-1:${late.jti}`);

  // (c) a new batch is accepted as usual.
  const fresh = await signedBatch([`M-1,${blocks[5]},77,0,VALID`]);
  const freshRes = await fresh.send();
  assert.equal(freshRes.res.statusCode, 202, freshRes.res.body);
  assert.equal(freshRes.res.headers['idempotent-replayed'], undefined);

  // (b) exactly one record per batch id on meter-batches.v1.
  const expected = [...accepted.map((a) => a.batch.jti), late.jti, fresh.jti].map((j) => `HES-1:${j}`).sort();
  assert.deepEqual(await batchIdsOnTopic(), expected);
});

async function findRecord(batchId: string): Promise<Json> {
  const admin = h.kafka.admin();
  await admin.connect();
  let found: Json | undefined;
  try {
    await replayTopic({ kafka: h.kafka, admin, topic: topicName(tenant, TOPICS.meterBatches), groupId: `it-ledger-${randomUUID()}` }, async (r) => {
      const decoded = await h.serde.decode<Json>(r.value);
      if (decoded.batchId === batchId) found = decoded;
    });
  } finally {
    await admin.disconnect();
  }
  assert.ok(found, `${batchId} on meter-batches.v1`);
  return found;
}
