import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { sql } from '@ies/clickhouse';
import { TOPICS, topicName } from '@ies/contracts';
import { ACKS_ALL } from '@ies/kafka';
import { eventually } from '@ies/testing';
import { startLoaderService } from '../../src/index.js';
import { loaderTestStack, committedVsEnd, scalar } from './helpers.js';

const stack = loaderTestStack();
const { serde, tenant, groupId, env, ch, admin, producer } = stack;
const options = { groupId, maxDelayMs: 200 };
const receiptsTopic = topicName(tenant, TOPICS.receipts);
const drEventsTopic = topicName(tenant, TOPICS.drEvents);
let service: Awaited<ReturnType<typeof startLoaderService>> | undefined;

const receipt = (logIndex: number, batchId: string, acceptedAt: string) => ({
  batchId, discomId: tenant, headEndId: 'HES-IT', readCount: 96, batchRoot: 'cm9vdA==', acceptedAt, logIndex,
  checkpoint: `node.example/log\n${logIndex + 1}\nroot==\n\n— notary sig==\n`, inclusionProof: ['aA==', 'bA=='], jws: `h.p${logIndex}.s`,
});
const transition = (eventId: string, version: number, state: string, previousState: string | null, at: number, reason: string | null = null) => ({
  eventId, discomId: tenant, aggregatorId: 'AGG-IT', programmeId: 'PRG-IT', version, state, previousState, at, by: 'AGG-IT', reason, event: `{"eventId":"${eventId}","v":${version}}`,
});

async function send(topicId: 'receipts' | 'drEvents', key: string, value: object): Promise<void> {
  const topic = TOPICS[topicId];
  await producer.send({ topic: topicName(tenant, topic), acks: ACKS_ALL, messages: [{ key, value: await serde.encode(tenant, topic, value) }] });
}

async function fullyCommitted(topic: string): Promise<true | undefined> {
  const [committed, end] = await committedVsEnd(admin, groupId, topic);
  return committed === end ? true : undefined;
}

async function rows<T>(query: string): Promise<T[]> {
  return (await ch.query({ query, format: 'JSONEachRow' })).json<T>();
}

before(() => stack.open());

after(async () => {
  await service?.stop();
  await stack.close();
});

test('receipts and DR-event transitions land once: produced twice, a restart and a full redelivery still leave one row each', async () => {
  // IST day 2026-11-21 runs 2026-11-20T18:30Z … 2026-11-21T18:30Z; receipt 2 is on the next IST day.
  const r0 = receipt(0, 'B-1', '2026-11-20T18:30:00.000Z');
  const r1 = receipt(1, 'B-2', '2026-11-21T09:15:42.517Z');
  const r2 = receipt(2, 'B-3', '2026-11-21T18:30:00.001Z');
  for (const r of [r0, r1, r1, r2]) await send('receipts', r.batchId, r);
  const e1 = transition('E-1', 1, 'DRAFT', null, Date.UTC(2026, 10, 21, 3));
  const e2 = transition('E-1', 2, 'ACTIVE', 'DRAFT', Date.UTC(2026, 10, 21, 4));
  // Version 2 delivered again with other content (an at-least-once relay gone wrong): the first stays.
  const e2Again = { ...e2, reason: 'relayed again' };
  for (const e of [e1, e2, e1, e2Again]) await send('drEvents', e.eventId, e);

  service = await startLoaderService(env, options);
  await eventually(async () => ((await scalar(ch, sql`SELECT count() AS n FROM receipts FINAL WHERE discom_id = ${tenant}`)) === 3 ? true : undefined), 60_000, '3 receipts');
  await eventually(async () => ((await scalar(ch, sql`SELECT count() AS n FROM dr_events FINAL WHERE discom_id = ${tenant}`)) === 2 ? true : undefined), 60_000, '2 transitions');
  await eventually(() => fullyCommitted(receiptsTopic), 30_000, 'receipt offsets committed');
  await eventually(() => fullyCommitted(drEventsTopic), 30_000, 'DR event offsets committed');

  // Restart with both groups rewound: every record is delivered again, plus one new of each.
  await service.stop();
  service = undefined;
  await admin.resetOffsets({ groupId, topic: receiptsTopic, earliest: true });
  await admin.resetOffsets({ groupId, topic: drEventsTopic, earliest: true });
  const r3 = receipt(3, 'B-4', '2026-11-21T10:00:00.000Z');
  await send('receipts', r3.batchId, r3);
  const e3 = transition('E-1', 3, 'CANCELLED', 'ACTIVE', Date.UTC(2026, 10, 21, 5), 'grid recovered');
  await send('drEvents', e3.eventId, e3);
  service = await startLoaderService(env, options);
  await eventually(async () => ((await scalar(ch, sql`SELECT count() AS n FROM receipts FINAL WHERE discom_id = ${tenant} AND log_index = 3`)) === 1 ? true : undefined), 60_000, 'receipt 3 loaded');
  await eventually(async () => ((await scalar(ch, sql`SELECT count() AS n FROM dr_events FINAL WHERE discom_id = ${tenant} AND version = 3`)) === 1 ? true : undefined), 60_000, 'version 3 loaded');
  await eventually(() => fullyCommitted(receiptsTopic), 30_000, 'receipt offsets committed after restart');
  await eventually(() => fullyCommitted(drEventsTopic), 30_000, 'DR event offsets committed after restart');

  // Exactly once, both by FINAL and by the GROUP BY form, in both receipt tables.
  assert.equal(await scalar(ch, sql`SELECT count() AS n FROM receipts FINAL WHERE discom_id = ${tenant}`), 4);
  assert.equal(await scalar(ch, sql`SELECT uniqExact(log_index) AS n FROM receipts WHERE discom_id = ${tenant}`), 4);
  assert.equal(await scalar(ch, sql`SELECT count() AS n FROM receipts_by_batch FINAL WHERE discom_id = ${tenant}`), 4);
  assert.equal(await scalar(ch, sql`SELECT count() AS n FROM dr_events FINAL WHERE discom_id = ${tenant}`), 3);
  assert.equal(await scalar(ch, sql`SELECT count() AS n FROM dead_letters FINAL WHERE discom_id = ${tenant}`), 0);

  // By log index, with every field as produced.
  assert.deepEqual(await rows(sql`SELECT batch_id, head_end_id, read_count, batch_root, toString(accepted_at_ms) AS at_ms, toUnixTimestamp(accepted_at) AS at_s, checkpoint, inclusion_proof, jws FROM receipts FINAL WHERE discom_id = ${tenant} AND log_index = 1`), [
    { batch_id: 'B-2', head_end_id: 'HES-IT', read_count: 96, batch_root: 'cm9vdA==', at_ms: String(Date.parse(r1.acceptedAt)), at_s: Math.floor(Date.parse(r1.acceptedAt) / 1000), checkpoint: r1.checkpoint, inclusion_proof: ['aA==', 'bA=='], jws: 'h.p1.s' },
  ]);
  // By batch id.
  assert.deepEqual(await rows(sql`SELECT toString(log_index) AS log_index, jws FROM receipts_by_batch FINAL WHERE discom_id = ${tenant} AND batch_id = ${'B-4'}`), [{ log_index: '3', jws: 'h.p3.s' }]);
  // Per DISCOM per IST day.
  assert.deepEqual(await rows(sql`SELECT toString(toDate(accepted_at, 'Asia/Kolkata')) AS ist_day, count() AS batches, toString(sum(read_count)) AS reads FROM receipts FINAL WHERE discom_id = ${tenant} GROUP BY ist_day ORDER BY ist_day`), [
    { ist_day: '2026-11-21', batches: '3', reads: '288' },
    { ist_day: '2026-11-22', batches: '1', reads: '96' },
  ]);

  // By event id and version: the first delivery of version 2 stayed; the latest version is 3.
  assert.deepEqual(await rows(sql`SELECT version, state, previous_state, reason, made_by, toString(at_ms) AS at_ms, event_json FROM dr_events FINAL WHERE discom_id = ${tenant} AND event_id = ${'E-1'} ORDER BY version`), [
    { version: 1, state: 'DRAFT', previous_state: null, reason: null, made_by: 'AGG-IT', at_ms: String(e1.at), event_json: e1.event },
    { version: 2, state: 'ACTIVE', previous_state: 'DRAFT', reason: null, made_by: 'AGG-IT', at_ms: String(e2.at), event_json: e2.event },
    { version: 3, state: 'CANCELLED', previous_state: 'ACTIVE', reason: 'grid recovered', made_by: 'AGG-IT', at_ms: String(e3.at), event_json: e3.event },
  ]);
  assert.deepEqual(await rows(sql`SELECT argMax(state, version) AS current_state, max(version) AS current_version FROM dr_events WHERE discom_id = ${tenant} AND event_id = ${'E-1'}`), [{ current_state: 'CANCELLED', current_version: 3 }]);
  // Per DISCOM per IST day: transitions into each state.
  assert.deepEqual(await rows(sql`SELECT toString(toDate(at, 'Asia/Kolkata')) AS ist_day, state, count() AS n FROM dr_events FINAL WHERE discom_id = ${tenant} GROUP BY ist_day, state ORDER BY state`), [
    { ist_day: '2026-11-21', state: 'ACTIVE', n: '1' },
    { ist_day: '2026-11-21', state: 'CANCELLED', n: '1' },
    { ist_day: '2026-11-21', state: 'DRAFT', n: '1' },
  ]);
});

test('a receipt or DR event on another tenant’s topic, or one that cannot be stored, becomes a dead letter and does not stall its partition', async () => {
  service ??= await startLoaderService(env, options);
  const foreign = { ...receipt(10, 'B-X', '2026-11-21T10:00:00.000Z'), discomId: 'OTHER-DL' };
  await send('receipts', foreign.batchId, foreign);
  await send('drEvents', 'E-9', transition('E-9', 0, 'DRAFT', null, Date.UTC(2026, 10, 21)));
  const after = receipt(11, 'B-Y', '2026-11-21T11:00:00.000Z');
  await send('receipts', after.batchId, after);
  await eventually(async () => ((await scalar(ch, sql`SELECT count() AS n FROM receipts FINAL WHERE discom_id = ${tenant} AND log_index = 11`)) === 1 ? true : undefined), 60_000, 'receipt after the bad one loaded');
  const dead = await eventually(async () => {
    const r = await rows<{ source_id: string; code: string }>(sql`SELECT source_id, code FROM dead_letters FINAL WHERE discom_id = ${tenant} AND stage = 'loader' ORDER BY source_id`);
    return r.length === 2 ? r : undefined;
  }, 60_000, 'two dead letters');
  assert.deepEqual(dead, [{ source_id: 'dr-event:E-9@0', code: 'IES_ERR_DR_EVENT_INVALID' }, { source_id: 'receipt:10', code: 'IES_ERR_TENANT_FORBIDDEN' }]);
  assert.equal(await scalar(ch, sql`SELECT count() AS n FROM receipts FINAL WHERE discom_id = ${tenant} AND log_index = 10`), 0);
});
