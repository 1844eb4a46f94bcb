import type { Producer } from 'kafkajs';
import { TOPICS, topicName } from '@ies/contracts';
import { canonicalJson } from '@ies/crypto';
import { IesError } from '@ies/errors';
import { ACKS_ALL, type AvroSerde } from '@ies/kafka';
import { writeVersioned, type Redis } from '@ies/redis';
import type { SideAllocation } from './domain/allocation.js';
import type { FinalAllocation } from './domain/final-allocation.js';
import { SettlementError } from './domain/codes.js';
import { istDayOf } from '@ies/units';
import { newTradeRecord } from './domain/trade-lifecycle.js';
import { tradeDigest, type NormalisedTrade, type Side, type TradeRecord } from './domain/trade.js';

/** A side allocation as a DISCOM holds it: its own (signed here) or the peer DISCOM's (verified on receipt). */
export interface StoredSide {
  readonly allocation: SideAllocation;
  /** Compact JWS (typ ies-p2p-side+jws) over sideAllocationJson(allocation), by the side DISCOM's settlement key. */
  readonly jws: string;
  readonly origin: 'OWN' | 'PEER';
  readonly at: number;
}

/** A final allocation with its version: n+1 whenever a side's figures (and so its version) change. */
export interface FinalRecord {
  readonly discomId: string;
  readonly version: number;
  readonly final: FinalAllocation;
  readonly sellerJws: string;
  readonly buyerJws: string;
  readonly at: number;
}

/** Where a changed own side must go: the DISCOM of the trade's other side. */
export interface SideDelivery {
  readonly tradeId: string;
  readonly from: string;
  readonly to: string;
  readonly side: Side;
  readonly version: number;
  readonly jws: string;
}

export type OutboxKind = 'trades' | 'sides' | 'finals';

interface StoredTrade extends TradeRecord {
  /** tradeDigest of the terms first confirmed: a later confirm replay is compared with these, not the curtailed terms. */
  readonly confirmedDigest: string;
  /** When this revision was made (absent on records written before it was kept). */
  readonly at?: number;
}

/** A trade as held, with when its current revision was made (undefined: not known). */
export interface HeldTrade {
  readonly record: TradeRecord;
  readonly at: number | undefined;
}

const byTradeId = (a: { tradeId: string }, b: { tradeId: string }) => (a.tradeId < b.tradeId ? -1 : a.tradeId > b.tradeId ? 1 : 0);
const DAY = /^\d{4}-\d{2}-\d{2}$/;

/** The IST days on which at least one of the trade's intervals starts. */
export function tradeDays(trade: NormalisedTrade): string[] {
  return [...new Set(trade.intervals.map((iv) => istDayOf(iv.startMs)))].sort();
}

/**
 * P2P trades, side allocations and final allocations of each DISCOM (tenant) in Redis.
 * Every DISCOM keeps its own copy of a trade, under its own keys. Trade changes are a
 * revision compare-and-set plus an outbox to p2p-trades.v1 (like DrEventStore): a change is
 * stored and queued for Kafka in one atomic step, and `relayTrades` publishes the queue. Own
 * side allocations are queued for delivery to the peer DISCOM; finals for p2p-allocations.v1
 * and ClickHouse (the reconciler relays both).
 *
 * The reads (getTrade, tradesForDay, getFinal, finalsForDay) need only Redis; the writes of
 * trades need `outbox` to publish.
 */
export class P2pStore {
  constructor(
    private readonly redis: Redis,
    private readonly outbox?: { readonly producer: Producer; readonly serde: AvroSerde },
  ) {}

  private key(discomId: string, ...parts: string[]): string {
    return `ies:${discomId}:p2p:${parts.join(':')}`;
  }

  private outboxKey(discomId: string, kind: OutboxKind): string {
    return this.key(discomId, 'outbox', kind);
  }

  // --- trades ---

  async getTrade(discomId: string, tradeId: string): Promise<TradeRecord | undefined> {
    const stored = await this.storedTrade(discomId, tradeId);
    return stored === undefined ? undefined : recordOf(stored);
  }

  /** This DISCOM's trades with at least one interval starting on that IST day (YYYY-MM-DD), every state incl. CANCELLED, sorted by tradeId. */
  async tradesForDay(discomId: string, day: string): Promise<TradeRecord[]> {
    if (!DAY.test(day)) throw new IesError('IES_ERR_VALIDATION', `day ${JSON.stringify(day)} is not an IST date YYYY-MM-DD`);
    const ids = (await this.redis.smembers(this.key(discomId, 'day', day))).sort();
    if (ids.length === 0) return [];
    const raws = await this.redis.mget(...ids.map((id) => this.key(discomId, 'trade', id)));
    return raws.flatMap((raw) => (raw === null ? [] : [recordOf(JSON.parse(raw) as StoredTrade)])).sort((a, b) => byTradeId(a.trade, b.trade));
  }

  /** The day's trades with when their current revision was made (what a calendar run cuts at its cut-off: trades-at-cutoff.ts). */
  async heldTradesForDay(discomId: string, day: string): Promise<HeldTrade[]> {
    if (!DAY.test(day)) throw new IesError('IES_ERR_VALIDATION', `day ${JSON.stringify(day)} is not an IST date YYYY-MM-DD`);
    const ids = (await this.redis.smembers(this.key(discomId, 'day', day))).sort();
    if (ids.length === 0) return [];
    const raws = await this.redis.mget(...ids.map((id) => this.key(discomId, 'trade', id)));
    return raws.flatMap((raw) => {
      if (raw === null) return [];
      const stored = JSON.parse(raw) as StoredTrade;
      return [{ record: recordOf(stored), at: stored.at }];
    }).sort((a, b) => byTradeId(a.record.trade, b.record.trade));
  }

  /** tradeDigest of the terms the trade was first confirmed with (what a replayed confirm must match). */
  async confirmedDigest(discomId: string, tradeId: string): Promise<string | undefined> {
    return (await this.storedTrade(discomId, tradeId))?.confirmedDigest;
  }

  private async storedTrade(discomId: string, tradeId: string): Promise<StoredTrade | undefined> {
    const raw = await this.redis.get(this.key(discomId, 'trade', tradeId));
    return raw === null ? undefined : (JSON.parse(raw) as StoredTrade);
  }

  /**
   * Stores a newly confirmed trade in CONFIRMED. The same terms again (a replayed confirm, or
   * the on_confirm of a confirm) answer the held record; other terms under the id are refused
   * with IES_ERR_P2P_TRADE_CONFLICT.
   */
  async confirm(discomId: string, trade: NormalisedTrade, by: string, at: number): Promise<{ record: TradeRecord; created: boolean }> {
    const digest = tradeDigest(trade);
    for (let attempt = 0; attempt < 5; attempt++) {
      const existing = await this.storedTrade(discomId, trade.tradeId);
      if (existing) {
        if (existing.confirmedDigest !== digest) throw new SettlementError('IES_ERR_P2P_TRADE_CONFLICT', `trade ${trade.tradeId} is already held by ${discomId} with different terms (state ${existing.state}, revision ${existing.revision})`);
        return { record: recordOf(existing), created: false };
      }
      const stored: StoredTrade = { ...newTradeRecord(trade), confirmedDigest: digest, at };
      if (await this.commitTrade(discomId, stored, -1, null, by, at, null)) return { record: recordOf(stored), created: true };
    }
    throw busy(`trade ${trade.tradeId}`);
  }

  /**
   * Applies `change` to the held trade (a lifecycle transition made by the domain:
   * applyTradeUpdate, transitionTrade); undefined from `change` means nothing to do.
   * Retries on a concurrent change; IES_ERR_P2P_TRADE_UNKNOWN when the DISCOM holds no such trade.
   */
  async update(discomId: string, tradeId: string, change: (record: TradeRecord) => TradeRecord | undefined, by: string, at: number, reason: string | null = null): Promise<{ record: TradeRecord; changed: boolean }> {
    for (let attempt = 0; attempt < 5; attempt++) {
      const current = await this.storedTrade(discomId, tradeId);
      if (!current) throw new SettlementError('IES_ERR_P2P_TRADE_UNKNOWN', `${discomId} holds no trade ${tradeId}`);
      const next = change(recordOf(current));
      if (next === undefined) return { record: recordOf(current), changed: false };
      const stored: StoredTrade = { trade: next.trade, state: next.state, revision: next.revision, confirmedDigest: current.confirmedDigest, at };
      if (await this.commitTrade(discomId, stored, current.revision, current.state, by, at, reason)) return { record: recordOf(stored), changed: true };
    }
    throw busy(`trade ${tradeId}`);
  }

  private async commitTrade(discomId: string, stored: StoredTrade, expectedRevision: number, previousState: string | null, by: string, at: number, reason: string | null): Promise<boolean> {
    const { trade, state, revision } = stored;
    const message = { tradeId: trade.tradeId, discomId, revision, state, previousState, at, by, reason, trade: canonicalJson(trade) };
    const days = tradeDays(trade).map((d) => this.key(discomId, 'day', d));
    // Compare-and-set on the revision (-1 = absent), the change queued for p2p-trades.v1 and the
    // trade indexed under its IST days, in one atomic step.
    const ok = await writeVersioned(this.redis, {
      key: this.key(discomId, 'trade', trade.tradeId), versionPath: 'revision', absentVersion: -1, when: { equals: expectedRevision },
      value: JSON.stringify(stored), outbox: { stream: this.outboxKey(discomId, 'trades'), field: 'entry', entry: JSON.stringify(message) }, index: { sets: days, member: trade.tradeId },
    });
    if (!ok) return false;
    if (this.outbox) await this.relayTrades(discomId);
    return true;
  }

  /** Publishes the queued trade changes to p2p-trades.v1, oldest first, then removes them. Safe to run concurrently (at-least-once). */
  async relayTrades(discomId: string): Promise<number> {
    if (!this.outbox) throw new Error('P2pStore was built without a producer: it cannot relay trade changes');
    const { producer, serde } = this.outbox;
    const entries = await this.outboxEntries<{ tradeId: string }>(discomId, 'trades');
    if (entries.length === 0) return 0;
    const messages = await Promise.all(entries.map(async ({ value }) => ({ key: value.tradeId, value: await serde.encode(discomId, TOPICS.p2pTrades, value) })));
    try {
      await producer.send({ topic: topicName(discomId, TOPICS.p2pTrades), acks: ACKS_ALL, messages });
    } catch (cause) {
      throw new IesError('IES_ERR_DEPENDENCY_UNAVAILABLE', `Kafka did not take ${messages.length} P2P trade change(s): ${(cause as Error).message}; they stay queued and are sent on the next attempt`, { cause, details: { retryAfterSeconds: 5 } });
    }
    await this.ackOutbox(discomId, 'trades', entries.map((e) => e.id));
    return entries.length;
  }

  // --- side allocations ---

  async getSide(discomId: string, tradeId: string, side: Side): Promise<StoredSide | undefined> {
    const raw = await this.redis.get(this.key(discomId, 'side', tradeId, side));
    return raw === null ? undefined : (JSON.parse(raw) as StoredSide);
  }

  /**
   * Keeps a side allocation when its version is higher than the one held (false otherwise:
   * a redelivery or an older version). With `delivery`, the side is queued for the peer DISCOM
   * in the same step.
   */
  async saveSide(discomId: string, side: StoredSide, delivery?: SideDelivery): Promise<boolean> {
    const a = side.allocation;
    return writeVersioned(this.redis, {
      key: this.key(discomId, 'side', a.tradeId, a.side), versionPath: 'allocation.version', absentVersion: 0, when: { below: a.version },
      value: JSON.stringify(side), ...(delivery ? { outbox: { stream: this.outboxKey(discomId, 'sides'), field: 'entry', entry: JSON.stringify(delivery) } } : {}),
    });
  }

  // --- final allocations ---

  async getFinal(discomId: string, tradeId: string): Promise<FinalAllocation | undefined> {
    return (await this.getFinalRecord(discomId, tradeId))?.final;
  }

  async getFinalRecord(discomId: string, tradeId: string): Promise<FinalRecord | undefined> {
    const raw = await this.redis.get(this.key(discomId, 'final', tradeId));
    return raw === null ? undefined : (JSON.parse(raw) as FinalRecord);
  }

  /** The latest FinalAllocation of each of those trades that has one (a trade still awaiting a side has none), sorted by tradeId. */
  async finalsForDay(discomId: string, day: string): Promise<FinalAllocation[]> {
    const trades = await this.tradesForDay(discomId, day);
    if (trades.length === 0) return [];
    const raws = await this.redis.mget(...trades.map((t) => this.key(discomId, 'final', t.trade.tradeId)));
    return raws.flatMap((raw) => (raw === null ? [] : [(JSON.parse(raw) as FinalRecord).final])).sort(byTradeId);
  }

  /** Stores the next final version (CAS on `record.version − 1`) and queues it for p2p-allocations.v1 and ClickHouse. */
  async saveFinal(discomId: string, record: FinalRecord): Promise<boolean> {
    const value = JSON.stringify(record);
    return writeVersioned(this.redis, {
      key: this.key(discomId, 'final', record.final.tradeId), versionPath: 'version', absentVersion: 0, when: { equals: record.version - 1 },
      value, outbox: { stream: this.outboxKey(discomId, 'finals'), field: 'entry', entry: value },
    });
  }

  // --- outboxes ---

  /** Queued entries, oldest first (at most `count`). */
  async outboxEntries<T>(discomId: string, kind: OutboxKind, count = 500): Promise<{ id: string; value: T }[]> {
    const entries = await this.redis.xrange(this.outboxKey(discomId, kind), '-', '+', 'COUNT', count);
    return entries.map(([id, fields]) => ({ id, value: JSON.parse(fields[1] as string) as T }));
  }

  async ackOutbox(discomId: string, kind: OutboxKind, ids: readonly string[]): Promise<void> {
    if (ids.length > 0) await this.redis.xdel(this.outboxKey(discomId, kind), ...ids);
  }
}

function recordOf(stored: StoredTrade): TradeRecord {
  return { trade: stored.trade, state: stored.state, revision: stored.revision };
}

function busy(what: string): IesError {
  return new IesError('IES_ERR_DEPENDENCY_UNAVAILABLE', `${what} kept changing under this write; retry`, { details: { retryAfterSeconds: 1 } });
}
