import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { sql } from '@ies/clickhouse';
import { TOPICS, topicName } from '@ies/contracts';
import { generateSigningKey } from '@ies/crypto';
import { eventually } from '@ies/testing';
import { startLoaderService } from '../../src/index.js';
import { loaderTestStack, committedVsEnd, countReads, sendBatch } from './helpers.js';

const stack = loaderTestStack();
const { serde, tenant, groupId, env, ch, admin, producer } = stack;
const BLOCK = Date.UTC(2026, 10, 20, 18, 30);
const RECEIVED = Date.UTC(2026, 10, 21, 4, 0);
let service: Awaited<ReturnType<typeof startLoaderService>> | undefined;

before(() => stack.open());

after(async () => {
  await service?.stop();
  await stack.close();
});

test('forged meter-batches records produced with a valid Kafka principal never reach ClickHouse; each is one dead letter; genuine batches still load', async () => {
  const { meterBatch, fleet } = stack.batches;
  const reads = [{ meterId: 'F-1', blockStart: BLOCK, channel: 'IMPORT' as const, wh: 400 }, { meterId: 'F-2', blockStart: BLOCK, channel: 'IMPORT' as const, wh: 300 }];
  const first = await meterBatch('G-1', RECEIVED, reads);
  // Reads changed after signing: 424,242 Wh, far over F-1's plausibility limit; signature kept.
  const signed = await meterBatch('X-INFLATED', RECEIVED, reads);
  const inflated = { ...signed, reads: signed.reads.map((r, i) => (i === 0 ? { ...r, wh: 424_242 } : r)) };
  // Signed by a key nobody registered.
  const unregistered = await fleet.batch(reads, { jti: 'X-UNREGISTERED', receivedAt: RECEIVED, key: await generateSigningKey() });
  // Signed by a head-end key the operator revoked before the signature was made.
  const old = await generateSigningKey();
  await fleet.register(['F-1', 'F-2'], { keys: [fleet.headEnd, old] });
  await fleet.register(['F-1', 'F-2'], { keys: [fleet.headEnd, { ...old, status: 'REVOKED' }] });
  const revoked = await fleet.batch(reads, { jti: 'X-REVOKED', receivedAt: Date.now(), key: old, iat: Math.floor(Date.now() / 1000) + 2 });
  // A genuine batch relabelled as another tenant's.
  const foreign = { ...(await meterBatch('X-FOREIGN', RECEIVED, reads)), discomId: 'OTHER-DL' };
  const last = await meterBatch('G-2', RECEIVED, reads.slice(0, 1));
  for (const b of [first, inflated, unregistered, revoked, foreign, last]) await sendBatch(producer, serde, tenant, b);

  service = await startLoaderService(env, { groupId, maxDelayMs: 200 });
  await eventually(async () => ((await countReads(ch, tenant)) === 3 ? true : undefined), 60_000, 'the genuine batches loaded');
  const batchesTopic = topicName(tenant, TOPICS.meterBatches);
  await eventually(async () => {
    const [committed, end] = await committedVsEnd(admin, groupId, batchesTopic);
    return committed === end ? true : undefined;
  }, 30_000, 'committed past every record');
  const letters = await eventually(async () => {
    const rows = await (await ch.query({ query: sql`SELECT batch_id, code, count() AS n FROM dead_letters FINAL WHERE discom_id = ${tenant} AND stage = 'loader' GROUP BY batch_id, code ORDER BY batch_id`, format: 'JSONEachRow' })).json<{ batch_id: string; code: string; n: string }>();
    return rows.length >= 4 ? rows : undefined;
  }, 30_000, 'four loader dead letters');
  assert.deepEqual(letters.map((r) => [r.batch_id, r.code, Number(r.n)]), [
    ['HES-IT:X-FOREIGN', 'IES_ERR_TENANT_FORBIDDEN', 1],
    ['HES-IT:X-INFLATED', 'IES_ERR_BATCH_READS_MISMATCH', 1],
    ['HES-IT:X-REVOKED', 'IES_ERR_KEY_REVOKED', 1],
    ['HES-IT:X-UNREGISTERED', 'IES_ERR_SIGNATURE_INVALID', 1],
  ]);
  assert.equal(await countReads(ch, tenant, first.batchId), 2);
  assert.equal(await countReads(ch, tenant, last.batchId), 1);
  for (const b of [inflated, unregistered, revoked, foreign]) assert.equal(await countReads(ch, tenant, b.batchId), 0, `no reads of forged ${b.batchId}`);
  const wh = await (await ch.query({ query: sql`SELECT max(wh) AS m FROM reads FINAL WHERE discom_id = ${tenant}`, format: 'JSONEachRow' })).json<{ m: string }>();
  assert.equal(Number(wh[0]?.m), 400, 'no 424,242 Wh read stored');
});
