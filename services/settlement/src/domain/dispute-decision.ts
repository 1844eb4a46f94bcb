/**
 * What an upheld dispute adjusts: the desk upholds the claims whole, or a part of them. A
 * partial decision names, for every disputed line in the document's order, the figure it
 * upholds: between the stated figure and the claimed one, both included (upholding the stated
 * figure of a line rejects that line's claim; a figure beyond the claim, or on the other side
 * of the stated one, is refused). The adjustment is then the same arithmetic as the claim's
 * (dispute-admission.ts `claimedAdjustments`) on the decided figures.
 *
 * Hand-worked (domain/dispute.test.ts): stated 1800 paise, claimed 2400 on both sides of a
 * trade; the desk upholds 2100 on each: meter:B-1 +300, meter:S-1 −300 (the claim was ±600).
 */
import { SettlementError } from './codes.js';
import { claimedAdjustments, type DisputeAdjustment } from './dispute-admission.js';
import type { MatchedLine } from './dispute.js';

/** The figure upheld for one disputed line. */
export interface DecidedFigure {
  readonly amountPaise: number;
  readonly quantityWh?: number;
}

const within = (value: number, stated: number, claimed: number) => value >= Math.min(stated, claimed) && value <= Math.max(stated, claimed);

/** Checks the decided figures against the stated and claimed ones; the adjustments they make. */
export function decidedAdjustments(discomId: string, matched: readonly MatchedLine[], decided: readonly DecidedFigure[]): DisputeAdjustment[] {
  const invalid = (path: string, message: string) => new SettlementError('IES_ERR_DISPUTE_INVALID', `${path}: ${message}`, [{ code: 'IES_ERR_DISPUTE_INVALID', path, message }]);
  if (decided.length !== matched.length) throw invalid('$.decided', `names ${decided.length} figure(s); the dispute has ${matched.length} line(s), one figure each in their order`);
  const lines = matched.map(({ disputed, stated }, i) => {
    const d = decided[i]!;
    const path = `$.decided[${i}]`;
    if (!Number.isSafeInteger(d.amountPaise) || d.amountPaise < 0) throw invalid(`${path}.amountPaise`, 'must be a non-negative integer (paise)');
    if (!within(d.amountPaise, stated.amountPaise, disputed.claimed.amountPaise)) throw invalid(`${path}.amountPaise`, `${d.amountPaise} is not between the stated ${stated.amountPaise} and the claimed ${disputed.claimed.amountPaise} paise`);
    if (d.quantityWh !== undefined) {
      const claimedWh = disputed.claimed.quantityWh ?? stated.quantityWh;
      if (!Number.isSafeInteger(d.quantityWh) || stated.quantityWh === null || claimedWh === null || !within(d.quantityWh, stated.quantityWh, claimedWh)) {
        throw invalid(`${path}.quantityWh`, `${d.quantityWh} is not between the stated ${stated.quantityWh} and the claimed ${claimedWh} Wh`);
      }
    }
    return { stated, disputed: { ...disputed, claimed: { amountPaise: d.amountPaise, ...(d.quantityWh === undefined ? {} : { quantityWh: d.quantityWh }) } } };
  });
  return claimedAdjustments(discomId, lines);
}
