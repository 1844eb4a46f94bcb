/**
 * Pro-rata allocation of one meter's energy across its trades, in exact integers
 * (README "Allocation arithmetic"):
 *
 *   T   = Σ tr_k                      contracted Wh of the window
 *   M   = metered Wh of the window
 *   if M ≥ T:  a_k = tr_k
 *   else:      a_k = floor(tr_k · M / T), then the M − Σ a_k Wh left over (fewer than the
 *              number of trades) go one each to the largest remainders (tr_k · M) mod T;
 *              equal remainders go to the lower index, i.e. the earlier trade id.
 *
 * So Σ a_k = min(T, M) exactly, 0 ≤ a_k ≤ tr_k, and every a_k is within 1 Wh of the exact
 * tr_k · min(1, M / T).
 */
import { divideFloor } from '@ies/units';

export interface WritableNumbers {
  [index: number]: number;
  readonly length: number;
}

/** Writes a_k into out[0..n) and returns Σ a_k. `contracted` is in tie-break order. */
export function allocateProRata(contracted: ArrayLike<number>, metered: number, out: WritableNumbers): number {
  const n = contracted.length;
  let total = 0;
  for (let k = 0; k < n; k++) total += contracted[k]!;
  if (metered >= total) {
    for (let k = 0; k < n; k++) out[k] = contracted[k]!;
    return total;
  }
  if (metered <= 0) {
    for (let k = 0; k < n; k++) out[k] = 0;
    return 0;
  }
  // Products above 2^53 lose integer precision in doubles; take the bigint road there.
  if (total * metered > Number.MAX_SAFE_INTEGER) return allocateProRataBig(contracted, metered, total, out);
  const remainders = new Float64Array(n);
  let given = 0;
  for (let k = 0; k < n; k++) {
    const product = contracted[k]! * metered;
    let q = Math.floor(product / total);
    let r = product - q * total;
    // The double quotient can land one off when it is within an ulp of an integer: correct it.
    if (r < 0) {
      q -= 1;
      r += total;
    } else if (r >= total) {
      q += 1;
      r -= total;
    }
    out[k] = q;
    remainders[k] = r;
    given += q;
  }
  distributeLeftover(metered - given, remainders, out);
  return metered;
}

function allocateProRataBig(contracted: ArrayLike<number>, metered: number, total: number, out: WritableNumbers): number {
  const n = contracted.length;
  const m = BigInt(metered);
  const t = BigInt(total);
  const remainders = new Float64Array(n);
  let given = 0;
  for (let k = 0; k < n; k++) {
    const product = BigInt(contracted[k]!) * m;
    const q = divideFloor(product, t);
    out[k] = Number(q);
    remainders[k] = Number(product - q * t); // < total, a safe integer
    given += out[k]!;
  }
  distributeLeftover(metered - given, remainders, out);
  return metered;
}

/** +1 Wh to the `left` largest remainders, lower index first among equals. */
function distributeLeftover(left: number, remainders: Float64Array, out: WritableNumbers): void {
  if (left <= 0) return;
  const n = remainders.length;
  if (left === 1) {
    let best = 0;
    for (let k = 1; k < n; k++) if (remainders[k]! > remainders[best]!) best = k;
    out[best] = out[best]! + 1;
    return;
  }
  const order = Array.from({ length: n }, (_, k) => k).sort((a, b) => remainders[b]! - remainders[a]! || a - b);
  for (let i = 0; i < left; i++) out[order[i]!] = out[order[i]!]! + 1;
}
