import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import type { Consumer, Producer } from 'kafkajs';
import { TOPICS, topicName } from '@ies/contracts';
import { generateSigningKey, signDetached, type KeyPair } from '@ies/crypto';
import { ACKS_ALL, createIdempotentProducer } from '@ies/kafka';
import { eventually } from '@ies/testing';
import { startSubmissionsConsumer, type SubmissionsIntake } from '../../src/intake/submissions-consumer.js';
import { CSV_HEADER, istBlocks, registryYaml, startHarness, type Json } from './harness.js';

// Two gateways serving different tenants, and a third serving both that comes and goes: with
// one group per tenant, every submission is taken by a gateway that serves its tenant, once.
let h: Awaited<ReturnType<typeof startHarness>>;
let tenantA: string;
let tenantB: string;
const keys = new Map<string, { headEnd: string; key: KeyPair }>();
const batches: Json[] = [];
const dead: Json[] = [];
/** batchId → the gateways that accepted it as new (replays of a redelivered record are not counted). */
const acceptedBy = new Map<string, string[]>();
let watcher: Consumer;
let headEnd: Producer;
const prefix = () => `${h.config.nodeId}-gateway-submissions-it${randomUUID().slice(0, 8)}`;
let groupPrefix: string;
const BLOCKS = istBlocks(96);

function gateway(name: string, tenants: string[]): Promise<SubmissionsIntake> {
  const log = {
    info(obj: object) {
      const o = obj as { batchId?: string; replayed?: boolean };
      if (o.batchId !== undefined && !o.replayed) acceptedBy.set(o.batchId, [...(acceptedBy.get(o.batchId) ?? []), name]);
    },
    warn() {},
  };
  return startSubmissionsConsumer(h.gatewayKafka, { ...h.deps, config: { ...h.deps.config, tenants } }, log, groupPrefix);
}

before(async () => {
  h = await startHarness(2);
  [tenantA, tenantB] = h.tenants as [string, string];
  groupPrefix = prefix();
  for (const [tenant, id] of [[tenantA, 'HES-A'], [tenantB, 'HES-B']] as const) {
    const key = await generateSigningKey();
    keys.set(tenant, { headEnd: id, key });
    assert.equal((await h.applyRegistry(registryYaml(tenant, { id, keys: [key] }, [{ id: `${id}-M1` }]))).statusCode, 200);
  }
  watcher = h.kafka.consumer({ groupId: `${tenantA}-it-watch-groups` });
  await watcher.connect();
  await watcher.subscribe({ topics: [tenantA, tenantB].flatMap((t) => [topicName(t, TOPICS.meterBatches), topicName(t, TOPICS.deadLetter)]), fromBeginning: true });
  await watcher.run({
    eachMessage: async ({ topic, message }) => {
      const v = await h.serde.decode<Json>(message.value as Buffer);
      (topic.endsWith('meter-batches.v1') ? batches : dead).push(v);
    },
  });
  headEnd = createIdempotentProducer(h.kafka);
  await headEnd.connect();
});

after(async () => {
  await headEnd.disconnect();
  await watcher.disconnect();
  await h.close();
});

/** Produces `count` signed submissions to the tenant's headend-submissions.v1; returns their batch ids. */
async function submit(tenant: string, count: number, wh: number): Promise<string[]> {
  const { headEnd: id, key } = keys.get(tenant)!;
  const ids: string[] = [];
  const messages = [];
  for (let i = 0; i < count; i++) {
    const jti = `G-${randomUUID()}`;
    const body = `${CSV_HEADER}\n${id}-M1,${BLOCKS[(wh / 100 + i * 7) % BLOCKS.length]},${wh + i},0,VALID\n`;
    const signature = await signDetached(Buffer.from(body), key, { iat: Math.floor(Date.now() / 1000), jti, htm: 'POST', htu: '/v1/meter-data', tenant });
    messages.push({ key: randomUUID(), value: await h.serde.encode(tenant, TOPICS.headendSubmissions, { contentType: 'text/csv', signature, body: Buffer.from(body), tenant: null }) });
    ids.push(`${id}:${jti}`);
  }
  await headEnd.send({ topic: topicName(tenant, TOPICS.headendSubmissions), acks: ACKS_ALL, messages });
  return ids;
}

test('gateways with different tenant sets each consume their tenants, once, while a third joins and leaves', async () => {
  const onlyA = await gateway('gw-A', [tenantA]);
  const onlyB = await gateway('gw-B', [tenantB]);
  assert.deepEqual([...onlyA.groups.values()], [`${groupPrefix}-${tenantA}`]);
  const expected: string[] = [];
  try {
    expected.push(...(await submit(tenantA, 6, 100)), ...(await submit(tenantB, 6, 200)));
    const both = await gateway('gw-AB', [tenantA, tenantB]);
    expected.push(...(await submit(tenantA, 6, 300)), ...(await submit(tenantB, 6, 400)));
    // Wait until the joined gateway's share was consumed before it leaves mid-stream.
    await eventually(async () => expected.every((b) => batches.some((x) => x.batchId === b)) || undefined, 60_000, 'the first two rounds on meter-batches.v1');
    await both.disconnect();
    expected.push(...(await submit(tenantA, 6, 500)), ...(await submit(tenantB, 6, 600)));
    await eventually(async () => expected.every((b) => batches.some((x) => x.batchId === b)) || undefined, 60_000, `all ${expected.length} batches on meter-batches.v1`);
  } finally {
    await onlyA.disconnect();
    await onlyB.disconnect();
  }
  for (const b of expected) {
    assert.equal(batches.filter((x) => x.batchId === b).length, 1, `${b} is on meter-batches.v1 exactly once`);
    assert.equal(acceptedBy.get(b)?.length, 1, `${b} was accepted as new by exactly one gateway (${acceptedBy.get(b)?.join(', ')})`);
    const tenant = b.startsWith('HES-A') ? tenantA : tenantB;
    assert.ok(acceptedBy.get(b)!.every((g) => g === 'gw-AB' || g === (tenant === tenantA ? 'gw-A' : 'gw-B')), `${b} was taken by a gateway serving ${tenant}`);
  }
  assert.equal(batches.length, expected.length, 'nothing else reached meter-batches.v1');
  assert.deepEqual(dead, [], 'no submission was dead-lettered');
  const shares = [...acceptedBy.values()].flat().reduce((m, g) => m.set(g, (m.get(g) ?? 0) + 1), new Map<string, number>());
  console.log(`submissions taken per gateway: ${JSON.stringify(Object.fromEntries(shares))}`);
});
