import type { Admin, ITopicConfig } from 'kafkajs';
import { TOPICS, topicName, isDiscomId, type ServicePrincipal, type TopicSpec } from '@ies/contracts';
import { IesError } from '@ies/errors';
import { tenantAcls, topicsOf } from './acls.js';

export interface EnsureTopicsResult {
  created: string[];
  existing: string[];
}

/** kafkajs topic config for one tenant's topic, from the single catalogue definition. */
export function topicConfig(discom: string, spec: TopicSpec, replicationFactor: number): ITopicConfig {
  const configEntries = [
    { name: 'cleanup.policy', value: spec.cleanupPolicy },
    { name: 'retention.ms', value: String(spec.retentionMs) },
    { name: 'min.insync.replicas', value: String(Math.min(2, replicationFactor)) },
    // A batch record carries the signed body (≤ 16 MiB) and its reads: allow 32 MiB records.
    { name: 'max.message.bytes', value: String(32 * 1024 * 1024) },
    ...Object.entries(spec.configs ?? {}).map(([name, value]) => ({ name, value })),
  ];
  return { topic: topicName(discom, spec), numPartitions: spec.partitions, replicationFactor, configEntries };
}

/**
 * Creates every catalogue topic of `discom` that does not exist yet (auto-creation is off
 * on the broker). Idempotent: existing topics are left as they are.
 */
export async function ensureTenantTopics(admin: Admin, discom: string, replicationFactor: number): Promise<EnsureTopicsResult> {
  if (!isDiscomId(discom)) throw new IesError('IES_ERR_TENANT_INVALID', `DISCOM id ${JSON.stringify(discom)} must match ^[A-Z0-9]+(-[A-Z0-9]+)*$ (at most 64 characters)`);
  const wanted = Object.values(TOPICS).map((spec) => topicConfig(discom, spec, replicationFactor));
  const present = new Set(await admin.listTopics());
  const missing = wanted.filter((t) => !present.has(t.topic));
  if (missing.length > 0) {
    // createTopics resolves false (not an error) when another replica created them first.
    await admin.createTopics({ topics: missing, waitForLeaders: true });
    await waitUntilServed(admin, missing.map((t) => t.topic));
  }
  return { created: missing.map((t) => t.topic), existing: wanted.filter((t) => present.has(t.topic)).map((t) => t.topic) };
}

/**
 * Provisions a tenant, as the `admin` principal: creates its catalogue topics (see
 * ensureTenantTopics) and the ACLs that give each service principal exactly what it needs on
 * them (tenantAcls). Idempotent: Kafka keeps one copy of an ACL created twice. Services do
 * not provision; they only check that their topics are there (requireTenantTopics).
 */
export async function provisionTenant(admin: Admin, discom: string, opts: { replicationFactor: number; nodeId: string }): Promise<EnsureTopicsResult & { acls: number }> {
  const topics = await ensureTenantTopics(admin, discom, opts.replicationFactor);
  const acl = tenantAcls(discom, opts.nodeId);
  await admin.createAcls({ acl });
  return { ...topics, acls: acl.length };
}

/**
 * Fails with IES_ERR_TENANT_NOT_PROVISIONED unless every topic `principal` uses in `discom`
 * exists and is visible to it (the broker lists only the topics a principal may describe, so
 * a topic without its ACLs counts as missing too).
 */
export async function requireTenantTopics(admin: Admin, discom: string, principal: ServicePrincipal): Promise<void> {
  if (!isDiscomId(discom)) throw new IesError('IES_ERR_TENANT_INVALID', `DISCOM id ${JSON.stringify(discom)} must match ^[A-Z0-9]+(-[A-Z0-9]+)*$ (at most 64 characters)`);
  const visible = new Set(await admin.listTopics());
  const missing = topicsOf(discom, principal).filter((t) => !visible.has(t));
  if (missing.length > 0) {
    throw new IesError('IES_ERR_TENANT_NOT_PROVISIONED', `tenant ${discom} is not provisioned for the ${principal} service: ${missing.length} topic(s) missing or not readable by Kafka user ${principal} (${missing.join(', ')}); provision it as the Kafka admin: 'ies tenants provision ${discom}'`, { details: { discom, principal, missing } });
  }
}

/**
 * A new topic has leaders in the metadata before its leader broker hosts the partition
 * (KRaft propagates asynchronously); writes in that gap fail with "This server does not
 * host this topic-partition". ListOffsets goes to the leader, so it answering means the
 * partition is served.
 */
async function waitUntilServed(admin: Admin, topics: readonly string[], timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (const topic of topics) {
    for (;;) {
      try {
        await admin.fetchTopicOffsets(topic);
        break;
      } catch (err) {
        if (Date.now() > deadline) throw new IesError('IES_ERR_DEPENDENCY_UNAVAILABLE', `topic ${topic} was created but is not served after ${timeoutMs} ms: ${(err as Error).message}`, { cause: err });
        await new Promise((r) => setTimeout(r, 100));
      }
    }
  }
}
