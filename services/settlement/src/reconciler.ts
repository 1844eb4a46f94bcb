import type { Producer } from 'kafkajs';
import type { ClickHouseClient } from '@ies/clickhouse';
import { IesError } from '@ies/errors';
import { ACKS_ALL, deadLetterMessage, type AvroSerde } from '@ies/kafka';
import { TOPICS, topicName } from '@ies/contracts';
import type { LogStore } from '@ies/notary/log';
import type { Logger } from '@ies/observability';
import type { Redis } from '@ies/redis';
import type { RegistryState } from '@ies/registry';
import { SIDE_CHANNEL, reallocate, type MeterSeries, type SideAllocation } from './domain/allocation.js';
import { combineSides } from './domain/final-allocation.js';
import { SettlementError } from './domain/codes.js';
import { istDayOf } from '@ies/units';
import { canTransitionTrade, transitionTrade } from './domain/trade-lifecycle.js';
import { isDue, fingerprintsToRemember, metersOf, planLoad, reallocationInputs, sideScope, sidesToSign } from './domain/reconcile-plan.js';
import { partyOf, type Side, type TradeRecord } from './domain/trade.js';
import { publishFinals } from './allocation-sink.js';
import type { FinalRecord, P2pStore, SideDelivery } from './p2p-store.js';
import { ReadEvidence } from './read-evidence.js';
import { trustedSettlementKeys, type SettlementKeys } from './settlement-keys.js';
import type { SideExchange } from './side-exchange.js';
import { loadSideReads, readFingerprints } from './side-reads.js';
import { claimedSide, signSide, verifySide } from './side-signature.js';

const DAY_MS = 86_400_000;
export const RECONCILER = 'settlement-reconciler';

export interface ReconcilerDeps {
  readonly store: P2pStore;
  readonly ch: ClickHouseClient;
  readonly redis: Redis;
  readonly keys: SettlementKeys;
  readonly exchange: SideExchange;
  readonly producer: Producer;
  readonly serde: AvroSerde;
  /** DISCOMs hosted on this node. */
  readonly hosted: readonly string[];
  /** For peer DISCOMs on other nodes: their settlement keys as registered (participant with role DISCOM). */
  readonly registry?: RegistryState;
  readonly logStore: (discomId: string) => LogStore;
  readonly graceMs: number;
  readonly lookbackDays: number;
  readonly now: () => number;
  readonly logger: Logger;
}

export interface SweepReport {
  readonly trades: number;
  /** Own side allocations that are new or got a new version. */
  readonly sides: number;
  /** Meter channels whose reads were loaded: those whose reads or trades changed since the last sweep. */
  readonly metersLoaded: number;
  /** Final allocations that are new or got a new version. */
  readonly finals: number;
}

/**
 * P2P reconciliation of the DISCOMs this node hosts. Each sweep takes a DISCOM's trades of
 * the last `lookbackDays` IST days and, for each side the DISCOM holds (its meters as seller,
 * its meters as buyer), allocates the side from the latest reads in ClickHouse once the
 * trade's window ended `graceMs` ago; `reallocate` keeps a side's version unless a figure
 * changed, so a late or revised read yields version n+1. A new side version is signed with
 * the DISCOM's settlement key, stored, and queued for the other DISCOM of the trade; a
 * trade with both sides gets its final (min of the two per interval), versioned, on
 * p2p-allocations.v1 and in ClickHouse, and the trade moves to ALLOCATED.
 */
export class Reconciler {
  constructor(private readonly deps: ReconcilerDeps) {}

  async sweep(discomId: string): Promise<SweepReport> {
    const { store, now: clock } = this.deps;
    await this.deps.keys.publish(discomId);
    const now = clock();
    const trades = await this.recentTrades(discomId, now);
    let sides = 0;
    let metersLoaded = 0;
    const evidence = new ReadEvidence(this.deps.logStore(discomId));
    for (const side of ['SELLER', 'BUYER'] as const) {
      const r = await this.allocate(discomId, side, trades, now, evidence);
      sides += r.stored;
      metersLoaded += r.loaded;
    }
    if (evidence.unreceipted.size > 0) this.deps.logger.info({ discomId, batches: evidence.unreceipted.size }, 'reads from batches without a notary receipt yet: their meters\' sides wait for the next sweep');
    await this.relaySides(discomId);
    let finals = 0;
    for (const r of trades) {
      if (r.state !== 'CANCELLED' && isDue(r, now, this.deps.graceMs) && (await this.combine(discomId, r.trade.tradeId))) finals++;
    }
    await this.relayFinals(discomId);
    await store.relayTrades(discomId);
    return { trades: trades.length, sides, finals, metersLoaded };
  }

  private async recentTrades(discomId: string, now: number): Promise<TradeRecord[]> {
    const byId = new Map<string, TradeRecord>();
    for (let d = this.deps.lookbackDays - 1; d >= 0; d--) {
      for (const r of await this.deps.store.tradesForDay(discomId, istDayOf(now - d * DAY_MS))) byId.set(r.trade.tradeId, r);
    }
    return [...byId.values()];
  }

  /** Allocates the DISCOM's `side` of its trades; returns how many side versions it stored and how many meters it loaded. */
  private async allocate(discomId: string, side: Side, trades: readonly TradeRecord[], now: number, evidence: ReadEvidence): Promise<{ stored: number; loaded: number }> {
    const scope = sideScope(discomId, side, trades, now, this.deps.graceMs);
    if (scope === undefined) return { stored: 0, loaded: 0 };
    const channel = SIDE_CHANNEL[side];
    const meters = metersOf(scope);
    const held = new Map<string, SideAllocation>();
    for (const id of scope.due) {
      const own = await this.deps.store.getSide(discomId, id, side);
      if (own?.origin === 'OWN') held.set(id, own.allocation);
    }
    const fingerprints = await readFingerprints(this.deps.ch, discomId, channel, meters, scope.fromMs, scope.toMs);
    const seenKey = `ies:${discomId}:p2p:read-fingerprints:${side}`;
    const plan = planLoad(scope, held, fingerprints, await this.deps.redis.hmget(seenKey, ...meters));
    if (plan.load.length === 0) return { stored: 0, loaded: 0 };

    const loaded = await loadSideReads(this.deps.ch, discomId, channel, plan.load, scope.fromMs, scope.toMs);
    const series = new Map<string, MeterSeries>();
    // Meters with a read whose batch has no notary receipt yet: their sides wait (sidesToSign).
    const unproven = new Set<string>();
    for (const [meterId, s] of loaded) {
      series.set(meterId, { startMs: s.startMs, wh: s.wh, evidence: await evidence.of(s.batches) });
      if ([...s.batches].some((b) => evidence.unreceipted.has(b))) unproven.add(meterId);
    }
    const { previous, trades: reallocated } = reallocationInputs(scope, held, plan.load);
    const result = reallocate(previous, { discomId, side, trades: reallocated, reads: (meterId) => series.get(meterId) });
    const keys = await this.deps.keys.keyFile(discomId).current();
    let stored = 0;
    for (const { allocation, sendTo } of sidesToSign(scope, result, unproven)) {
      const jws = await signSide(allocation, keys);
      const delivery: SideDelivery | undefined = sendTo === undefined ? undefined : { tradeId: allocation.tradeId, from: discomId, to: sendTo, side, version: allocation.version, jws };
      if (await this.deps.store.saveSide(discomId, { allocation, jws, origin: 'OWN', at: now }, delivery)) {
        stored++;
        this.deps.logger.info({ discomId, tradeId: allocation.tradeId, side, version: allocation.version, status: allocation.status, to: delivery?.to }, 'side allocated');
      }
    }
    const remember = fingerprintsToRemember(plan, unproven);
    if (Object.keys(remember).length > 0) await this.deps.redis.hset(seenKey, remember);
    return { stored, loaded: plan.load.length };
  }

  /**
   * Meets the two sides the DISCOM holds for the trade; stores a new final version when a
   * side version changed. Returns the new final record, or undefined when there is nothing new.
   */
  async combine(discomId: string, tradeId: string): Promise<FinalRecord | undefined> {
    const { store } = this.deps;
    for (let attempt = 0; attempt < 5; attempt++) {
      const record = await store.getTrade(discomId, tradeId);
      if (!record || record.state === 'CANCELLED') return undefined;
      const [seller, buyer] = await Promise.all([store.getSide(discomId, tradeId, 'SELLER'), store.getSide(discomId, tradeId, 'BUYER')]);
      if (!seller || !buyer) return undefined;
      const current = await store.getFinalRecord(discomId, tradeId);
      if (current && current.final.sellerVersion === seller.allocation.version && current.final.buyerVersion === buyer.allocation.version) return undefined;
      let final;
      try {
        final = combineSides(record.trade, seller.allocation, buyer.allocation);
      } catch (err) {
        // A side made before a curtailment: the next sweep recomputes it on the new terms.
        if (err instanceof SettlementError) {
          this.deps.logger.warn({ discomId, tradeId, code: err.code, err: err.message }, 'sides do not combine yet');
          return undefined;
        }
        throw err;
      }
      const next: FinalRecord = { discomId, version: (current?.version ?? 0) + 1, final, sellerJws: seller.jws, buyerJws: buyer.jws, at: this.deps.now() };
      if (!(await store.saveFinal(discomId, next))) continue;
      await store.update(discomId, tradeId, (r) => (canTransitionTrade(r.state, 'ALLOCATED') ? transitionTrade(r, 'ALLOCATED') : undefined), RECONCILER, next.at, `final allocation v${next.version} (${final.status})`);
      this.deps.logger.info({ discomId, tradeId, version: next.version, status: final.status }, 'final allocation');
      return next;
    }
    throw new IesError('IES_ERR_DEPENDENCY_UNAVAILABLE', `final allocation of ${tradeId} kept changing; retried on the next sweep`);
  }

  /**
   * A side allocation from the other DISCOM of a trade (p2p-sides.v1): verified against the
   * sender DISCOM's settlement keys, checked against the trade the receiver holds, kept when
   * newer than the one held, then combined with the receiver's own side.
   */
  async receiveSide(receiver: string, jws: string): Promise<{ stored: boolean; final: FinalRecord | undefined }> {
    const claimed = claimedSide(jws);
    if (claimed.discomId === receiver) throw new IesError('IES_ERR_P2P_SIDE_INVALID', `${receiver} computes its own sides; it does not take one signed in its name from outside`);
    const trusted = await trustedSettlementKeys(this.deps.redis, this.deps.registry, this.deps.hosted, receiver, claimed.discomId);
    const allocation = await verifySide(jws, trusted);
    const record = await this.deps.store.getTrade(receiver, allocation.tradeId);
    if (!record) throw new SettlementError('IES_ERR_P2P_TRADE_UNKNOWN', `${receiver} holds no trade ${allocation.tradeId} for the ${allocation.side} side from ${allocation.discomId}`);
    const party = partyOf(record.trade, allocation.side);
    if (party.discomId !== allocation.discomId || party.meterId !== allocation.meterId) {
      throw new IesError('IES_ERR_P2P_SIDE_INVALID', `the ${allocation.side} side of ${allocation.tradeId} is ${party.meterId} with ${party.discomId}, not ${allocation.meterId} with ${allocation.discomId}`);
    }
    const stored = await this.deps.store.saveSide(receiver, { allocation, jws, origin: 'PEER', at: this.deps.now() });
    const final = await this.combine(receiver, allocation.tradeId);
    await this.relayFinals(receiver);
    await this.deps.store.relayTrades(receiver);
    return { stored, final };
  }

  /** Sends queued own sides to the peer DISCOMs; what cannot be delivered now stays queued. */
  async relaySides(discomId: string): Promise<number> {
    const entries = await this.deps.store.outboxEntries<SideDelivery>(discomId, 'sides');
    const done: string[] = [];
    for (const { id, value } of entries) {
      try {
        if ((await this.deps.exchange.deliver(value)) === 'DELIVERED') done.push(id);
        else this.deps.logger.warn({ discomId, to: value.to, tradeId: value.tradeId }, 'no route to the peer DISCOM (IES_SETTLEMENT_PEER_URLS); side stays queued');
      } catch (err) {
        if (err instanceof IesError && !err.retriable) {
          // The peer node refused the side for good (4xx): record it and stop resending it.
          this.deps.logger.error({ code: err.code, err: err.message, discomId, to: value.to, tradeId: value.tradeId }, 'peer refused the side; dead-lettered');
          const record = await deadLetterMessage(this.deps.serde, { sourceId: `p2p-side/${value.tradeId}/${value.side}/v${value.version}`, discomId, stage: 'settlement-exchange', code: err.code, message: err.message, rejectedAt: this.deps.now(), payload: Buffer.from(value.jws), context: { tradeId: value.tradeId, to: value.to, side: value.side, version: String(value.version) } });
          await this.deps.producer.send({ topic: topicName(discomId, TOPICS.deadLetter), acks: ACKS_ALL, messages: [record] });
          done.push(id);
        } else this.deps.logger.warn({ err, discomId, to: value.to, tradeId: value.tradeId }, 'side delivery failed; retried on the next sweep');
      }
    }
    await this.deps.store.ackOutbox(discomId, 'sides', done);
    return done.length;
  }

  /** Publishes queued final versions to p2p-allocations.v1 and ClickHouse. */
  async relayFinals(discomId: string): Promise<number> {
    const entries = await this.deps.store.outboxEntries<FinalRecord>(discomId, 'finals');
    if (entries.length === 0) return 0;
    await publishFinals(this.deps.producer, this.deps.serde, this.deps.ch, discomId, entries.map((e) => e.value));
    await this.deps.store.ackOutbox(discomId, 'finals', entries.map((e) => e.id));
    return entries.length;
  }
}
