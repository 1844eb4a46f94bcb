import { createHash } from 'node:crypto';
import { canonicalJson } from '@ies/crypto';

export type Side = 'SELLER' | 'BUYER';

/** One contracted interval: [startMs, endMs) on the 15-minute grid, integer Wh and paise/kWh. */
export interface TradeInterval {
  readonly startMs: number;
  readonly endMs: number;
  readonly quantityWh: number;
  readonly pricePaisePerKwh: number;
}

export interface TradeParty {
  readonly meterId: string;
  /** The DISCOM the meter belongs to (registry, or the contract for a peer DISCOM's meter). */
  readonly discomId: string;
  readonly platformId: string;
}

/**
 * A P2P trade as this node keeps it: one DEG commitment of one contract. The id is
 * `<transactionId>/<commitmentId>`; both parts are also kept on their own because either
 * may itself contain a slash.
 */
export interface NormalisedTrade {
  readonly tradeId: string;
  readonly transactionId: string;
  readonly commitmentId: string;
  readonly contractId: string | null;
  readonly seller: TradeParty;
  readonly buyer: TradeParty;
  /** Sorted, contiguous, non-overlapping. */
  readonly intervals: readonly TradeInterval[];
  /** CONFIRM for confirm/on_confirm; CANCEL or AMEND for an update. */
  readonly intent: 'CONFIRM' | 'CANCEL' | 'AMEND';
  readonly source: { readonly action: string; readonly messageId: string | null; readonly timestamp: string | null };
}

export type TradeState = 'CONFIRMED' | 'CURTAILED' | 'CANCELLED' | 'ALLOCATED' | 'SETTLED';

/** A trade with its lifecycle state; revision counts accepted changes. */
export interface TradeRecord {
  readonly trade: NormalisedTrade;
  readonly state: TradeState;
  readonly revision: number;
}

export function tradeIdOf(transactionId: string, commitmentId: string): string {
  return `${transactionId}/${commitmentId}`;
}

export function partyOf(trade: NormalisedTrade, side: Side): TradeParty {
  return side === 'SELLER' ? trade.seller : trade.buyer;
}

/**
 * SHA-256 (hex) of the canonical JSON of the agreed terms: id, parties and intervals. The
 * carrying message and the contract id (which the seller platform only assigns in
 * on_confirm) are left out, so a confirm and the on_confirm of the same trade match.
 */
export function tradeDigest(trade: NormalisedTrade): string {
  const { source: _source, intent: _intent, contractId: _contractId, ...agreed } = trade;
  return createHash('sha256').update(canonicalJson(agreed)).digest('hex');
}
