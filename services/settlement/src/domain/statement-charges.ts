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
  readonly policy: PolicyPack;
  readonly referenceRatePaisePerKwh: number | undefined;
  readonly add: AddLine;
  readonly invalid: (path: string, message: string) => void;
}

/**
 * The lines of one trade interval on the statement of `ctx.discomId` (buyer's or seller's
 * DISCOM, or both). With `missingData` (a run settled the trade with a read missing), every
 * line carries the policy's name and shortfalls are held at rate 0 (missing-data-policy.ts).
 */
export function tradeLines(ctx: ChargeContext, t: NormalisedTrade, iv: TradeInterval, f: FinalInterval, missingData?: string): void {
  const { policy, add, invalid } = ctx;
  const self = party.discom(ctx.discomId);
  const isSeller = t.seller.discomId === ctx.discomId;
  const isBuyer = t.buyer.discomId === ctx.discomId;
  const buyer = party.meter(t.buyer.meterId);
  const seller = party.meter(t.seller.meterId);
  const metered = (kind: LineKind, meterId: string, payer: string, payee: string, quantityWh: number, ratePaisePerKwh: number) =>
    add(kind, t.tradeId, iv.startMs, iv.endMs, meterId, payer, payee, quantityWh, ratePaisePerKwh, lineAmount(quantityWh, ratePaisePerKwh), null, missingData);
  const charge = (kind: LineKind, meterId: string, rate: number) => {
    if (rate > 0) metered(kind, meterId, party.meter(meterId), self, f.finalWh, rate);
  };
  const shortfall = (kind: LineKind, meterId: string, quantityWh: number, treatment: ShortfallTreatment) => {
    if (quantityWh <= 0) return;
    const rate = missingData !== undefined ? 0 : shortfallRate(treatment, ctx.referenceRatePaisePerKwh);
    if (rate === undefined) return invalid('$.referenceRatePaisePerKwh', `${policy.policyId} prices ${kind} at a reference rate; give referenceRatePaisePerKwh`);
    metered(kind, meterId, party.meter(meterId), self, quantityWh, rate);
  };
  const price = iv.pricePaisePerKwh;
  if (f.finalWh > 0) {
    if (isBuyer) {
      metered('P2P_ENERGY', t.buyer.meterId, buyer, self, f.finalWh, price);
      metered('P2P_ENERGY', t.seller.meterId, self, isSeller ? seller : party.discom(t.seller.discomId), f.finalWh, price);
      charge('WHEELING', t.buyer.meterId, policy.p2p.wheeling.buyerPaisePerKwh);
      charge('TRANSACTION_CHARGE', t.buyer.meterId, policy.p2p.transactionCharge.buyerPaisePerKwh);
    }
    if (isSeller) {
      if (!isBuyer) {
        metered('P2P_ENERGY', t.buyer.meterId, party.discom(t.buyer.discomId), self, f.finalWh, price);
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
