import { AssignerProtocol, PartitionAssigners, type PartitionAssigner } from 'kafkajs';

/**
 * A partition assigner that honours each member's own subscription, as the Java client's
 * assignors do. kafkajs's round-robin assigner deals the partitions of every topic any member
 * subscribed to across all members, so two processes that share a group id but serve
 * different tenants (a loader for A, a loader for A and B) are handed each other's topics:
 * one member then owns partitions it never subscribed to and nobody reads them. Here a
 * partition goes only to a member that subscribed to its topic: to the one with the fewest
 * partitions so far, ties broken by member id, topics with fewest subscribers first, so the
 * plan is deterministic and balanced.
 */
export const SUBSCRIPTION_ASSIGNER_NAME = 'IesSubscriptionRoundRobin';

export interface MemberSubscription {
  readonly memberId: string;
  readonly topics: readonly string[];
}

/** The plan alone (pure): member id → topic → partitions, for the given partitions per topic. */
export function planAssignment(members: readonly MemberSubscription[], partitionsOf: (topic: string) => readonly number[]): Map<string, Record<string, number[]>> {
  const sorted = [...members].sort((a, b) => (a.memberId < b.memberId ? -1 : a.memberId > b.memberId ? 1 : 0));
  const plan = new Map<string, Map<string, number[]>>(sorted.map((m) => [m.memberId, new Map()]));
  const load = new Map<string, number>(sorted.map((m) => [m.memberId, 0]));
  const candidatesOf = (topic: string) => sorted.filter((m) => m.topics.includes(topic));
  // Most constrained topics first (fewest subscribers), so the members that can take a widely
  // read topic are the ones not already loaded with a topic only they read.
  const topics = [...new Set(sorted.flatMap((m) => m.topics))]
    .map((topic) => ({ topic, candidates: candidatesOf(topic) }))
    .sort((a, b) => a.candidates.length - b.candidates.length || (a.topic < b.topic ? -1 : a.topic > b.topic ? 1 : 0));
  for (const { topic, candidates } of topics) {
    for (const partition of [...partitionsOf(topic)].sort((a, b) => a - b)) {
      let chosen = candidates[0]!;
      for (const c of candidates) if (load.get(c.memberId)! < load.get(chosen.memberId)!) chosen = c;
      load.set(chosen.memberId, load.get(chosen.memberId)! + 1);
      const own = plan.get(chosen.memberId)!;
      own.set(topic, [...(own.get(topic) ?? []), partition]);
    }
  }
  return new Map([...plan].map(([id, topicsOf]) => [id, Object.fromEntries(topicsOf)]));
}

export const subscriptionAwareAssigner: PartitionAssigner = ({ cluster }) => ({
  name: SUBSCRIPTION_ASSIGNER_NAME,
  version: 0,
  async assign({ members }) {
    const subscriptions = members.map((m) => ({ memberId: m.memberId, topics: AssignerProtocol.MemberMetadata.decode(m.memberMetadata)?.topics ?? [] }));
    // The leader knows the partitions of its own topics only: load the metadata of every topic
    // any member reads (it fails loudly if the leader may not describe one, rather than leave
    // that topic unassigned).
    await cluster.addMultipleTargetTopics([...new Set(subscriptions.flatMap((s) => s.topics))]);
    const plan = planAssignment(subscriptions, (topic) => cluster.findTopicPartitionMetadata(topic).map((p) => p.partitionId));
    return [...plan].map(([memberId, assignment]) => ({ memberId, memberAssignment: AssignerProtocol.MemberAssignment.encode({ version: 0, assignment, userData: Buffer.alloc(0) }) }));
  },
  protocol({ topics }) {
    return { name: SUBSCRIPTION_ASSIGNER_NAME, metadata: AssignerProtocol.MemberMetadata.encode({ version: 0, topics, userData: Buffer.alloc(0) }) };
  },
});

/**
 * Every consumer's assigners: the subscription-aware one first; kafkajs's round robin second,
 * so a member still running an older build (which offers only round robin) can join the group
 * during a rolling upgrade, the group then using round robin until every member offers ours.
 */
export const PARTITION_ASSIGNERS: PartitionAssigner[] = [subscriptionAwareAssigner, PartitionAssigners.roundRobin];
