import type { TopicId } from './topics.js';

/**
 * Kafka principals: one per service, plus `admin`, a super-user used only to provision a
 * tenant (its topics and the ACLs below) and by the CLI, demo and tests where they provision.
 * Each has a SCRAM-SHA-512 user of the same name; infra/lib.sh lists the same names (a test
 * checks it) so `stack up` makes a password for each.
 */
export const KAFKA_PRINCIPALS = ['admin', 'gateway', 'fanout', 'notary', 'loader', 'dr', 'settlement', 'webhooks'] as const;
export type KafkaPrincipal = (typeof KAFKA_PRINCIPALS)[number];
export type ServicePrincipal = Exclude<KafkaPrincipal, 'admin'>;

/** What one service principal may do; everything not granted is denied (no ACL = no access). */
export interface KafkaGrants {
  /** Catalogue topics it consumes, in every tenant (LITERAL READ per tenant topic). */
  readonly read: readonly TopicId[];
  /** Catalogue topics it produces to, in every tenant (LITERAL WRITE per tenant topic). */
  readonly write: readonly TopicId[];
  /**
   * Topic prefixes under a tenant (`ies.<discom>.<prefix>`) it creates and writes topics in
   * (PREFIXED CREATE + WRITE): the DR service's per-aggregator feeds.
   */
  readonly createUnder?: readonly string[];
  /** Consumer group id prefixes (PREFIXED READ); `{node}` stands for the node id (IES_NODE_ID). */
  readonly groups: readonly string[];
  /** Transactional id prefixes (PREFIXED WRITE); `{node}` stands for the node id. */
  readonly transactionalIds: readonly string[];
}

/**
 * Principal → what it needs, read off the services: who consumes and produces which topic,
 * their consumer group ids and transactional ids (the group constants in each service:
 * ies-fanout, ies-loader, ies-notary-<discom>, ies-baseline, ies-aggregator-feed,
 * ies-settlement-*, ies-registry-view-<suffix>, and the `<node>-…` ids in the mains).
 * Every principal that writes also gets cluster IDEMPOTENT_WRITE (idempotent producers).
 */
export const KAFKA_GRANTS = {
  // HTTP intake and APIs: accepted batches, head-end submissions (Kafka intake), registry
  // writes and its view, DR event transitions, P2P trades and sides from peers, statements, disputes;
  // reads its own meter-batches.v1 back to rebuild the replay ledger ({node}-gateway-ledger-…).
  gateway: {
    read: ['headendSubmissions', 'registry', 'meterBatches'],
    write: ['meterBatches', 'deadLetter', 'registry', 'drEvents', 'p2pTrades', 'p2pSides', 'statements', 'disputes'],
    groups: ['{node}-gateway-', 'ies-registry-view-{node}-gateway-'],
    transactionalIds: [],
  },
  fanout: {
    read: ['meterBatches'],
    write: ['meterReads', 'deadLetter'],
    groups: ['ies-fanout'],
    transactionalIds: ['{node}-fanout'],
  },
  // Reads its own receipts back on recovery; the registry view for re-verification.
  notary: {
    read: ['meterBatches', 'receipts', 'registry'],
    write: ['receipts', 'deadLetter'],
    groups: ['ies-notary', 'ies-registry-view-{node}-notary'],
    transactionalIds: ['ies-notary'],
  },
  loader: {
    read: ['meterBatches', 'receipts', 'drEvents', 'deadLetter', 'registry'],
    write: [],
    groups: ['ies-loader', 'ies-registry-view-{node}-loader'],
    transactionalIds: [],
  },
  // Baselines and performance of DR events, and each aggregator's own feed of them; the
  // event store's rebuild replays dr-events.v1 and dr-performance.v1 in throwaway groups.
  dr: {
    read: ['drEvents', 'baselines', 'drPerformance'],
    write: ['drEvents', 'baselines', 'drPerformance'],
    createUnder: ['agg.'],
    groups: ['ies-baseline', 'ies-aggregator-feed', '{node}-dr-rebuild-'],
    transactionalIds: ['{node}-aggregator-feed'],
  },
  // Reads p2p-allocations.v1 only to rebuild its store (finals and the sides they carry),
  // disputes.v1 only to rebuild the desk's disputes (desk-store-rebuild.ts).
  settlement: {
    read: ['p2pSides', 'p2pTrades', 'p2pAllocations', 'disputes', 'registry'],
    write: ['p2pTrades', 'p2pAllocations', 'p2pSides', 'statements', 'disputes', 'deadLetter'],
    groups: ['{node}-settlement-', 'ies-settlement-', 'ies-registry-view-{node}-settlement-'],
    transactionalIds: [],
  },
  // Relays DR records to subscribed webhooks (runs in the DR process, with its own principal).
  webhooks: {
    read: ['drEvents', 'baselines', 'drPerformance'],
    write: [],
    groups: ['{node}-webhooks'],
    transactionalIds: [],
  },
} as const satisfies Record<ServicePrincipal, KafkaGrants>;

/** A `{node}` template of KAFKA_GRANTS with the node id filled in. */
export function withNodeId(template: string, nodeId: string): string {
  return template.replaceAll('{node}', nodeId);
}
