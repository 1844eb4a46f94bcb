/**
 * The project's one rounding rule for energy (Wh) and money (paise): exact integer
 * arithmetic, and where a quotient is not whole, round half to even ("banker's rounding",
 * IEEE 754 roundTiesToEven). Half-even has no upward bias when many small amounts are
 * rounded and summed, which matters for millions of low-value lines.
 */
export function divideHalfEven(numerator: bigint, denominator: bigint): bigint {
  if (denominator === 0n) throw new RangeError('division by zero');
  const negative = (numerator < 0n) !== (denominator < 0n);
  const n = numerator < 0n ? -numerator : numerator;
  const d = denominator < 0n ? -denominator : denominator;
  let q = n / d;
  const twiceRemainder = (n % d) * 2n;
  if (twiceRemainder > d || (twiceRemainder === d && q % 2n === 1n)) q += 1n;
  return negative ? -q : q;
}

/**
 * divideHalfEven for safe-integer numbers: the same rule, without a bigint per call, for
 * hot loops (a statement runs to hundreds of thousands of lines). Exact, not floating:
 * `%` and the subtraction below are exact on safe integers, and the quotient of an exact
 * multiple is representable. Outside the safe range it defers to the bigint rule.
 */
export function divideHalfEvenSafe(numerator: number, denominator: number): number {
  if (!Number.isSafeInteger(numerator) || !Number.isSafeInteger(denominator)) return Number(divideHalfEven(BigInt(numerator), BigInt(denominator)));
  if (denominator === 0) throw new RangeError('division by zero');
  const negative = (numerator < 0) !== (denominator < 0);
  const n = Math.abs(numerator);
  const d = Math.abs(denominator);
  const r = n % d;
  let q = (n - r) / d;
  // r * 2 is exact in a double even when it passes 2^53 (a power-of-two scaling).
  if (r * 2 > d || (r * 2 === d && q % 2 === 1)) q += 1;
  return negative && q !== 0 ? -q : q;
}

/** floor(numerator / denominator) for any signs (BigInt division truncates toward zero). */
export function divideFloor(numerator: bigint, denominator: bigint): bigint {
  if (denominator === 0n) throw new RangeError('division by zero');
  const q = numerator / denominator;
  return numerator % denominator !== 0n && (numerator < 0n) !== (denominator < 0n) ? q - 1n : q;
}

/** A bigint as a number, or a RangeError naming `what` when it is not a safe integer. */
export function toSafeInteger(value: bigint, what: string): number {
  if (value > BigInt(Number.MAX_SAFE_INTEGER) || value < BigInt(Number.MIN_SAFE_INTEGER)) throw new RangeError(`${what} ${value} exceeds the safe integer range`);
  return Number(value);
}
