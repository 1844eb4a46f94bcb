import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import type { Consumer } from 'kafkajs';
import { TOPICS, topicName } from '@ies/contracts';
import { stackConfig, uniqueTenant, eventually } from '@ies/testing';
import { ACKS_ALL, createIdempotentProducer, createKafka, ensureTenantTopics, SUBSCRIPTION_ASSIGNER_NAME } from '../../src/index.js';

// Two processes of one service share a group id but serve different tenant sets (a loader for
// A, another for A and B). Each must get only partitions of topics it subscribed to, and every
// record must be read once by the group.
const config = stackConfig({}, 'admin');
const silent = { error() {}, warn() {}, info() {}, debug() {} };
const kafka = createKafka(config, silent);
const admin = kafka.admin();
const [tenantA, tenantB] = [uniqueTenant(), uniqueTenant()];
const topicA = topicName(tenantA, TOPICS.meterBatches);
const topicB = topicName(tenantB, TOPICS.meterBatches);
const consumers: Consumer[] = [];
after(async () => {
  await Promise.all(consumers.map((c) => c.disconnect()));
  await admin.disconnect();
});

test('members of one group with different subscriptions each get only their own topics, and every record is read once', async () => {
  await admin.connect();
  await ensureTenantTopics(admin, tenantA, config.kafka.replicationFactor);
  await ensureTenantTopics(admin, tenantB, config.kafka.replicationFactor);
  const groupId = `ies-it-shared-${tenantA}`;
  const seen: { member: string; topic: string; value: string }[] = [];
  const assigned = new Map<string, Set<string>>();
  let protocol = '';
  async function member(name: string, topics: string[]): Promise<void> {
    const c = kafka.consumer({ groupId, sessionTimeout: 10_000, rebalanceTimeout: 10_000 });
    consumers.push(c);
    c.on(c.events.GROUP_JOIN, (e) => {
      protocol = e.payload.groupProtocol;
      assigned.set(name, new Set(Object.keys(e.payload.memberAssignment)));
    });
    await c.connect();
    await c.subscribe({ topics, fromBeginning: true });
    await c.run({ eachMessage: async ({ topic, message }) => { seen.push({ member: name, topic, value: message.value!.toString() }); } });
  }
  await member('a-only', [topicA]);
  await member('a-and-b', [topicA, topicB]);
  await eventually(async () => (assigned.size === 2 ? true : undefined), 60_000, 'both members joined');

  const producer = createIdempotentProducer(kafka);
  await producer.connect();
  const keys = Array.from({ length: 60 }, (_, i) => `M-${i}`);
  await producer.send({ topic: topicA, acks: ACKS_ALL, messages: keys.map((k) => ({ key: k, value: `A:${k}` })) });
  await producer.send({ topic: topicB, acks: ACKS_ALL, messages: keys.map((k) => ({ key: k, value: `B:${k}` })) });
  await producer.disconnect();

  await eventually(async () => (seen.length >= 120 ? true : undefined), 60_000, '120 records read');
  await new Promise((r) => setTimeout(r, 1_000)); // a duplicate would arrive now
  assert.equal(protocol, SUBSCRIPTION_ASSIGNER_NAME);
  assert.deepEqual([...assigned.get('a-only')!], [topicA], 'the A-only member is never handed B');
  assert.ok(seen.filter((s) => s.topic === topicB).every((s) => s.member === 'a-and-b'));
  assert.equal(seen.length, 120, 'no record read twice');
  assert.equal(new Set(seen.map((s) => s.value)).size, 120, 'every record read');
  // Both members work: the A-only member, carrying no B, takes all of A's partitions.
  assert.ok(seen.some((s) => s.member === 'a-only'));
});
