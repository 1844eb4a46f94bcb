/**
 * Line amounts and the charges a DISCOM puts on its own customer for one trade interval.
 *
 * amount = quantityWh × ratePaisePerKwh / 1000, half to even (@ies/units), per line. Lines
 * with zero quantity, and charge lines at a zero rate, are left out; shortfall lines are
 * kept when waived (rate 0) because they record the deviation.
 */
import type { FinalInterval } from './final-allocation.js';
import type { PolicyPack, ShortfallTreatment } from './policy-pack.js';
import { divideHalfEven } from '@ies/units';
import { lineAmount, party, type LineKind } from '@ies/verify';
import type { NormalisedTrade, TradeInterval } from './trade.js';

export type AddLine = (
  kind: LineKind, reference: string, intervalStartMs: number | null, intervalEndMs: number | null, meterId: string | null,
  payer: string, payee: string, quantityWh: number | null, ratePaisePerKwh: number | null, amountPaise: number, note: string | null,
  missingData?: string,
) => void;

export interface ChargeContext {
  readonly discomId: string;
  /** The statement's parties as strings (`party`), one object per party for the whole statement. */
  readonly parties: StatementParties;
  readonly policy: PolicyPack;
  readonly referenceRatePaisePerKwh: number | undefined;
  readonly add: AddLine;
  readonly invalid: (path: string, message: string) => void;
}

/** `party.discom(discomId)` and interned `party.meter` / `party.discom` of the others. */
export interface StatementParties {
  readonly self: string;
  meter(meterId: string): string;
  discom(discomId: string): string;
}

/**
 * The party strings of one statement, each made once: a line names two parties, and a day's
 * statement has hundreds of thousands of lines that positions and the zero-sum check key maps
 * by. Concatenated afresh per line they were new (cons) strings, each flattened and hashed
 * again at every lookup: 1.2 s of a 1M-meter day (bench:settlement profile).
 */
export function statementParties(discomId: string): StatementParties {
  const meters = new Map<string, string>();
  const discoms = new Map<string, string>();
  const self = party.discom(discomId);
  discoms.set(discomId, self);
  const interned = (map: Map<string, string>, id: string, make: (id: string) => string) => {
    let p = map.get(id);
    if (p === undefined) map.set(id, (p = make(id)));
    return p;
  };
  return { self, meter: (id) => interned(meters, id, party.meter), discom: (id) => interned(discoms, id, party.discom) };
}

/**
 * The lines of one trade interval on the statement of `ctx.discomId` (buyer's or seller's
 * DISCOM, or both). With `missingData` (a run settled the trade with a read missing), every
 * line carries the policy's name and shortfalls are held at rate 0 (missing-data-policy.ts).
 */
export function tradeLines(ctx: ChargeContext, t: NormalisedTrade, iv: TradeInterval, f: FinalInterval, missingData?: string): void {
  const { policy, add, invalid, parties } = ctx;
  const self = parties.self;
  const isSeller = t.seller.discomId === ctx.discomId;
  const isBuyer = t.buyer.discomId === ctx.discomId;
  const buyer = parties.meter(t.buyer.meterId);
  const seller = parties.meter(t.seller.meterId);
  const metered = (kind: LineKind, meterId: string, payer: string, payee: string, quantityWh: number, ratePaisePerKwh: number) =>
    add(kind, t.tradeId, iv.startMs, iv.endMs, meterId, payer, payee, quantityWh, ratePaisePerKwh, lineAmount(quantityWh, ratePaisePerKwh), null, missingData);
  const charge = (kind: LineKind, meterId: string, rate: number) => {
    if (rate > 0) metered(kind, meterId, parties.meter(meterId), self, f.finalWh, rate);
  };
  const shortfall = (kind: LineKind, meterId: string, quantityWh: number, treatment: ShortfallTreatment) => {
    if (quantityWh <= 0) return;
    const rate = missingData !== undefined ? 0 : shortfallRate(treatment, ctx.referenceRatePaisePerKwh);
    if (rate === undefined) return invalid('$.referenceRatePaisePerKwh', `${policy.policyId} prices ${kind} at a reference rate; give referenceRatePaisePerKwh`);
    metered(kind, meterId, parties.meter(meterId), self, quantityWh, rate);
  };
  const price = iv.pricePaisePerKwh;
  if (f.finalWh > 0) {
    if (isBuyer) {
      metered('P2P_ENERGY', t.buyer.meterId, buyer, self, f.finalWh, price);
      metered('P2P_ENERGY', t.seller.meterId, self, isSeller ? seller : parties.discom(t.seller.discomId), f.finalWh, price);
      charge('WHEELING', t.buyer.meterId, policy.p2p.wheeling.buyerPaisePerKwh);
      charge('TRANSACTION_CHARGE', t.buyer.meterId, policy.p2p.transactionCharge.buyerPaisePerKwh);
    }
    if (isSeller) {
      if (!isBuyer) {
        metered('P2P_ENERGY', t.buyer.meterId, parties.discom(t.buyer.discomId), self, f.finalWh, price);
        metered('P2P_ENERGY', t.seller.meterId, self, seller, f.finalWh, price);
      }
      charge('WHEELING', t.seller.meterId, policy.p2p.wheeling.sellerPaisePerKwh);
      charge('TRANSACTION_CHARGE', t.seller.meterId, policy.p2p.transactionCharge.sellerPaisePerKwh);
    }
  }
  if (isSeller) shortfall('SELLER_SHORTFALL', t.seller.meterId, f.sellerShortfallWh, policy.p2p.sellerShortfall);
  if (isBuyer) shortfall('BUYER_SHORTFALL', t.buyer.meterId, f.buyerShortfallWh, policy.p2p.buyerShortfall);
}

/** Paise per kWh of a shortfall, or undefined when it needs a reference rate not given. */
export function shortfallRate(treatment: ShortfallTreatment, reference: number | undefined): number | undefined {
  switch (treatment.treatment) {
    case 'WAIVED':
      return 0;
    case 'FIXED_RATE':
      return treatment.ratePaisePerKwh;
    case 'REFERENCE_RATE':
      return reference === undefined ? undefined : Number(divideHalfEven(BigInt(reference) * BigInt(treatment.multiplierPercent), 100n));
  }
}
