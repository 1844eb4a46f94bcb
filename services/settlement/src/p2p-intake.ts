import type { RegistryState } from '@ies/registry';
import { SettlementError, type Problem } from './domain/codes.js';
import { confirmTradeIds } from './domain/confirm-trade-ids.js';
import { contractTime } from './domain/contract-time.js';
import { normaliseDegTrade } from './domain/deg-contract.js';
import type { TradeIntakeContext } from './domain/trade-intake-context.js';
import type { TradeRecord } from './domain/trade.js';
import { applyTradeUpdate } from './domain/trade-lifecycle.js';
import type { P2pStore } from './p2p-store.js';

export interface P2pIntakeDeps {
  /** The DISCOMs this node hosts: each keeps its own copy of a trade it is a party of. */
  hosted: readonly string[];
  registry: RegistryState;
  store: P2pStore;
  /** IES_P2P_TRADE_BACKFILL_MS: how late a platform may lodge a trade (0: not at all). */
  backfillMs: number;
}

/** The trading platform whose signature over the DEG message verified. */
export interface TradeSender {
  discomId: string;
  participantId: string;
}

export interface LodgedTrade {
  tradeId: string;
  discomId: string;
  state: string;
  revision: number;
  /** CREATED, REPLAY, UNCHANGED, or the update's intent (CURTAIL, CANCEL). */
  outcome: string;
}

export interface LodgeOutcome {
  action: string;
  /** True when at least one hosted DISCOM took a new trade. */
  created: boolean;
  trades: LodgedTrade[];
}

/**
 * P2P trade intake: a DEG confirm / on_confirm / update from a registered platform, judged
 * by the settlement domain against the registry (platforms, meters, trading consent, peer
 * DISCOMs) and stored for every hosted DISCOM whose meter is on the trade. A refusal is a
 * SettlementError carrying every problem.
 */
export async function lodgeTrade(deps: P2pIntakeDeps, sender: TradeSender, payload: unknown, now: number): Promise<LodgeOutcome> {
  const { hosted, registry, store } = deps;
  const known = new Map<string, string>();
  for (const id of confirmTradeIds(payload)) {
    const digest = await store.confirmedDigest(sender.discomId, id);
    if (digest !== undefined) known.set(id, digest);
  }
  const judgedAt = contractTime(payload, now, deps.backfillMs);
  const ctx: TradeIntakeContext = {
    now: judgedAt,
    discomId: sender.discomId,
    platform: (id) => hosted.some((t) => registry.participant(t, id)?.role === 'PLATFORM'),
    meter: (meterId) => {
      const m = registry.meter(sender.discomId, meterId);
      return m && hosted.includes(m.discomId) ? { discomId: m.discomId } : undefined;
    },
    peerDiscom: (d) => hosted.includes(d) || registry.participant(sender.discomId, d)?.role === 'PEER_DISCOM',
    // A platform binds a hosted DISCOM's meter only as a platform registered with that
    // DISCOM, for a customer who enrolled the meter with it (consent in the registry).
    mayBind: (discomId, meterId) => registry.participant(discomId, sender.participantId)?.role === 'PLATFORM' && registry.tradingConsent(discomId, sender.participantId, meterId)?.status === 'ACTIVE',
    knownTrade: (id) => known.get(id),
    signerPlatformId: sender.participantId,
  };
  const result = normaliseDegTrade(payload, ctx);
  if (!result.ok) throw refused(result.problems, 'trade refused');
  const out: LodgedTrade[] = [];
  for (const trade of result.trades) {
    const holders = [trade.seller.discomId, trade.buyer.discomId].filter((d, i, all) => hosted.includes(d) && all.indexOf(d) === i);
    for (const d of holders) {
      if (trade.intent === 'CONFIRM') {
        const { record, created } = await store.confirm(d, trade, sender.participantId, now);
        out.push(row(d, record, created ? 'CREATED' : 'REPLAY'));
      } else {
        const { record, changed } = await store.update(d, trade.tradeId, (held) => {
          const applied = applyTradeUpdate(held, trade, judgedAt);
          if (!applied.ok) throw refused(applied.problems, `update of ${trade.tradeId} refused`);
          return applied.changed ? applied.record : undefined;
        }, sender.participantId, now, trade.intent === 'CANCEL' ? 'cancelled by platform' : 'curtailed by platform');
        out.push(row(d, record, changed ? trade.intent : 'UNCHANGED'));
      }
    }
  }
  for (const tradeId of result.replays) {
    const record = await store.getTrade(sender.discomId, tradeId);
    if (record) out.push(row(sender.discomId, record, 'REPLAY'));
  }
  return { action: result.action, created: out.some((o) => o.outcome === 'CREATED'), trades: out };
}

function row(discomId: string, r: TradeRecord, outcome: string): LodgedTrade {
  return { tradeId: r.trade.tradeId, discomId, state: r.state, revision: r.revision, outcome };
}

/** The domain's problems as one coded error (the first problem's code), every problem listed. */
function refused(problems: readonly Problem[], summary: string): SettlementError {
  const first = problems[0]!;
  return new SettlementError(first.code, `${summary}: ${problems.map((p) => `${p.path}: ${p.message}`).join('; ')}`, problems);
}
