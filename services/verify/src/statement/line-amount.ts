/**
 * The amount of a metered statement line: quantity × rate / 1000 in paise, half to even, by
 * the one rounding rule of @ies/units. Settlement prices lines with it; a verifier recomputes it.
 */
import { divideHalfEven, divideHalfEvenSafe } from '@ies/units';
import type { LineKind } from './content.js';

/** Kinds priced as quantity × rate: their amount must be lineAmount of the two. */
export const METERED_KINDS: ReadonlySet<LineKind> = new Set<LineKind>(['P2P_ENERGY', 'SELLER_SHORTFALL', 'BUYER_SHORTFALL', 'WHEELING', 'TRANSACTION_CHARGE']);

/** quantity × rate / 1000 in paise by the one rounding rule (@ies/units). */
export function lineAmount(quantityWh: number, ratePaisePerKwh: number): number {
  const product = quantityWh * ratePaisePerKwh;
  // Past 2^53 the double product is no longer the exact one: multiply in bigint.
  if (!Number.isSafeInteger(product)) return Number(divideHalfEven(BigInt(quantityWh) * BigInt(ratePaisePerKwh), 1000n));
  return divideHalfEvenSafe(product, 1000);
}

