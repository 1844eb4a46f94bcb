import { randomUUID } from 'node:crypto';
import type { Admin, Kafka } from 'kafkajs';
import { TOPICS, topicName, type TopicSpec } from '@ies/contracts';
import type { Logger } from '@ies/observability';
import type { RegistryState } from '@ies/registry';
import { MarkerRebuilds, writeVersioned, type Redis } from '@ies/redis';
import type { CheckpointRef } from '@ies/verify';
import type { SideAllocation } from './domain/allocation.js';
import type { FinalAllocation } from './domain/final-allocation.js';
import { canTransitionTrade } from './domain/trade-lifecycle.js';
import { trustedSettlementKeys } from './settlement-keys.js';
import { claimedSide, verifySide } from './side-signature.js';
import { tradeDigest, type NormalisedTrade, type TradeState } from './domain/trade.js';
import { tradeDays, type FinalRecord, type StoredSide } from './p2p-store.js';
import { replayTopic, type AvroSerde } from '@ies/kafka';

/** p2p-trades.v1 as encoded (schemas-avro/p2p-trade.v1.avsc). */
interface TradeChange { tradeId: string; discomId: string; revision: number; state: TradeState; at: number; trade: string }
/** p2p-allocations.v1 as encoded (schemas-avro/p2p-allocation.v1.avsc). */
interface FinalMessage {
  tradeId: string; discomId: string; version: number; sellerDiscomId: string; buyerDiscomId: string; sellerVersion: number; buyerVersion: number;
  sellerStatus: FinalAllocation['status']; buyerStatus: FinalAllocation['status']; status: FinalAllocation['status'];
  intervals: { start: number; end: number; contractedWh: number; sellerWh: number; buyerWh: number; finalWh: number; deviationWh: number }[];
  evidence: string; sellerSideJws: string; buyerSideJws: string; computedAt: number;
}

/** Checks a side allocation JWS against its DISCOM's trusted settlement keys (throws when it does not verify). */
export type SideVerifier = (receiver: string, jws: string) => Promise<SideAllocation>;

export interface P2pRebuildReport {
  readonly discomId: string;
  readonly trades: number;
  readonly finals: number;
  readonly sides: number;
  /** Keys written because Redis lacked them or held an older revision/version. */
  readonly restored: number;
  readonly ms: number;
}

/** Written only by a rebuild; its absence means the tenant's P2P state in Redis is not known whole. */
export function p2pStoreMarker(discomId: string): string {
  return `ies:${discomId}:p2p:store`;
}

/**
 * Restores a DISCOM's P2pStore from its topics: each trade (every revision on p2p-trades.v1;
 * the record is the last revision of one unbroken chain from revision 0, and the digest a
 * replayed confirm is matched against is that of revision 0's terms), each trade's latest
 * final (p2p-allocations.v1), and the side allocations: both sides inside each final and the
 * peer sides delivered on p2p-sides.v1, each verified against its DISCOM's settlement keys as
 * on receipt. Keys are written only where Redis holds nothing or an older version, nothing is
 * queued for Kafka, so a rebuild over a whole store changes nothing. An own side that no final
 * holds yet is on no topic of this DISCOM: the reconciler's next sweep signs it again.
 */
export class P2pStoreRebuilder {
  private readonly rebuilds: MarkerRebuilds<P2pRebuildReport>;

  constructor(private readonly deps: { kafka: Kafka; admin: Admin; serde: AvroSerde; redis: Redis; verifySide: SideVerifier; logger: Logger; groupPrefix: string }) {
    this.rebuilds = new MarkerRebuilds(deps.redis, p2pStoreMarker);
  }

  /**
   * Rebuilds when the tenant's marker is missing; undefined when the store is whole.
   * `prepare` runs first (the lost Redis also held the published settlement keys the sides
   * are verified with).
   */
  async ensure(discomId: string, prepare?: () => Promise<void>): Promise<P2pRebuildReport | undefined> {
    return this.rebuilds.ensure(discomId, async () => {
      await prepare?.();
      return this.rebuild(discomId);
    });
  }


  async rebuild(discomId: string): Promise<P2pRebuildReport> {
    const started = Date.now();
    const key = (...parts: string[]) => `ies:${discomId}:p2p:${parts.join(':')}`;
    let restored = 0;
    const write = async (w: Parameters<typeof writeVersioned>[1]) => {
      if (await writeVersioned(this.deps.redis, w)) restored++;
    };

    const changes = new Map<string, TradeChange[]>();
    await this.replay<TradeChange>(discomId, TOPICS.p2pTrades, async (c) => {
      if (c.discomId === discomId) changes.set(c.tradeId, [...(changes.get(c.tradeId) ?? []), c]);
    });
    for (const [tradeId, list] of changes) {
      const chain = chainOf(list);
      if (chain.length < new Set(list.map((c) => c.revision)).size) this.deps.logger.warn({ discomId, tradeId, kept: chain.length }, 'p2p-trades.v1 revisions of this trade are not one chain from a CONFIRMED revision 0; rebuilt up to the last proven one');
      const first = chain[0];
      const last = chain.at(-1);
      if (!first || !last) continue;
      const trade = JSON.parse(last.trade) as NormalisedTrade;
      const stored = { trade, state: last.state, revision: last.revision, confirmedDigest: tradeDigest(JSON.parse(first.trade) as NormalisedTrade), at: Number(last.at) };
      await write({ key: key('trade', tradeId), versionPath: 'revision', absentVersion: -1, when: { below: last.revision }, value: JSON.stringify(stored), index: { sets: tradeDays(trade).map((d) => key('day', d)), member: tradeId } });
    }

    const finals = new Map<string, FinalMessage>();
    await this.replay<FinalMessage>(discomId, TOPICS.p2pAllocations, async (f) => {
      if (f.discomId === discomId && f.version > (finals.get(f.tradeId)?.version ?? 0)) finals.set(f.tradeId, f);
    });
    const sideJws: string[] = [];
    for (const f of finals.values()) {
      const record = finalRecordOf(f);
      await write({ key: key('final', f.tradeId), versionPath: 'version', absentVersion: 0, when: { below: record.version }, value: JSON.stringify(record) });
      sideJws.push(f.sellerSideJws, f.buyerSideJws);
    }
    const sideAt = new Map<string, number>(); // jws → when it reached this DISCOM's topics
    for (const f of finals.values()) for (const j of [f.sellerSideJws, f.buyerSideJws]) sideAt.set(j, f.computedAt);
    await this.replay<{ toDiscomId: string; jws: string; sentAt: number }>(discomId, TOPICS.p2pSides, async (s) => {
      if (s.toDiscomId !== discomId) return;
      sideJws.push(s.jws);
      sideAt.set(s.jws, Math.min(s.sentAt, sideAt.get(s.jws) ?? s.sentAt));
    });
    let sides = 0;
    for (const jws of new Set(sideJws)) {
      let allocation: SideAllocation;
      try {
        allocation = await this.deps.verifySide(discomId, jws);
      } catch (err) {
        this.deps.logger.warn({ discomId, err: (err as Error).message }, 'a side allocation on the topics does not verify; not restored');
        continue;
      }
      const side: StoredSide = { allocation, jws, origin: allocation.discomId === discomId ? 'OWN' : 'PEER', at: sideAt.get(jws)! };
      sides++;
      await write({ key: key('side', allocation.tradeId, allocation.side), versionPath: 'allocation.version', absentVersion: 0, when: { below: allocation.version }, value: JSON.stringify(side) });
    }

    const report: P2pRebuildReport = { discomId, trades: changes.size, finals: finals.size, sides, restored, ms: Date.now() - started };
    await this.deps.redis.set(p2pStoreMarker(discomId), JSON.stringify({ rebuiltAt: Date.now(), trades: changes.size, finals: finals.size }));
    this.deps.logger.info(report, 'P2P store rebuilt from p2p-trades.v1, p2p-allocations.v1 and p2p-sides.v1');
    return report;
  }

  private async replay<T>(discomId: string, topic: TopicSpec, each: (value: T) => Promise<void>): Promise<number> {
    const groupId = `${this.deps.groupPrefix}${discomId}-${randomUUID()}`;
    return replayTopic({ kafka: this.deps.kafka, admin: this.deps.admin, topic: topicName(discomId, topic), groupId }, async (r) => each(await this.deps.serde.decode<T>(r.value)));
  }
}

/**
 * The revisions of one trade that form an unbroken chain: revision 0 in CONFIRMED, then each
 * next revision a step the lifecycle allows. The first copy of a revision is kept (an
 * at-least-once relay can publish one twice).
 */
function chainOf(list: readonly TradeChange[]): TradeChange[] {
  const byRevision = new Map<number, TradeChange>();
  for (const c of list) if (!byRevision.has(c.revision)) byRevision.set(c.revision, c);
  const chain: TradeChange[] = [];
  for (let r = 0; byRevision.has(r); r++) {
    const c = byRevision.get(r)!;
    const prev = chain.at(-1);
    if (prev ? !(prev.state === c.state || canTransitionTrade(prev.state, c.state)) : c.state !== 'CONFIRMED') break;
    chain.push(c);
  }
  return chain;
}

/** The FinalRecord a p2p-allocations.v1 record was made from (allocationMessage in reverse). */
function finalRecordOf(f: FinalMessage): FinalRecord {
  const final: FinalAllocation = {
    tradeId: f.tradeId, sellerDiscomId: f.sellerDiscomId, buyerDiscomId: f.buyerDiscomId, sellerVersion: f.sellerVersion, buyerVersion: f.buyerVersion,
    sellerStatus: f.sellerStatus, buyerStatus: f.buyerStatus, status: f.status,
    // The shortfalls are not on the topic: they are contracted − each side, as finalAllocation makes them.
    intervals: f.intervals.map((iv) => ({ startMs: iv.start, endMs: iv.end, contractedWh: iv.contractedWh, sellerWh: iv.sellerWh, buyerWh: iv.buyerWh, finalWh: iv.finalWh, sellerShortfallWh: iv.contractedWh - iv.sellerWh, buyerShortfallWh: iv.contractedWh - iv.buyerWh, deviationWh: iv.deviationWh })),
    evidence: JSON.parse(f.evidence) as CheckpointRef[],
  };
  return { discomId: f.discomId, version: f.version, final, sellerJws: f.sellerSideJws, buyerJws: f.buyerSideJws, at: f.computedAt };
}

/**
 * The rebuilder the settlement service runs: sides verified against the sending DISCOM's
 * settlement keys (published ones for hosted DISCOMs, the registry's for peers), as on receipt.
 */
export function settlementStoreRebuilder(deps: { kafka: Kafka; admin: Admin; serde: AvroSerde; redis: Redis; registry: RegistryState; hosted: readonly string[]; logger: Logger; groupPrefix: string }): P2pStoreRebuilder {
  const { registry, hosted, ...rest } = deps;
  return new P2pStoreRebuilder({
    ...rest,
    verifySide: async (receiver, jws) => verifySide(jws, await trustedSettlementKeys(deps.redis, registry, hosted, receiver, claimedSide(jws).discomId)),
  });
}
