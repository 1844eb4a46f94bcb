/**
 * Exact decimal arithmetic for energy values: a decimal is `coef × 10^exp` with a bigint
 * coefficient, so kWh → Wh never goes through a float multiplication (DESIGN.md, Units).
 * ONE rounding rule: half-to-even at the Wh/paise boundary (`roundHalfEven`).
 */
import { divideHalfEven } from './rounding.js';

export interface Decimal {
  readonly coef: bigint;
  readonly exp: number;
}

const DECIMAL_TEXT = /^([+-]?)(\d+(?:\.\d*)?|\.\d+)(?:[eE]([+-]?\d+))?$/;
/** Beyond this exponent no value can be a safe integer of Wh or round to anything but 0. */
const MAX_EXPONENT = 1000;

/** Parses "4.62", "-0.5", ".5", "12", "1e-3", "1.5e+21" (what String(number) produces). */
export function parseDecimal(text: string): Decimal {
  const m = DECIMAL_TEXT.exec(text);
  if (!m) throw new RangeError(`"${text}" is not a decimal number`);
  const [, sign = '', body = '', exponent] = m;
  const [whole = '', fraction = ''] = body.split('.');
  const exp = (exponent === undefined ? 0 : Number(exponent)) - fraction.length;
  if (Math.abs(exp) > MAX_EXPONENT) throw new RangeError(`"${text}" has an exponent beyond ±${MAX_EXPONENT}`);
  const magnitude = BigInt(`${whole}${fraction}` || '0');
  return { coef: sign === '-' ? -magnitude : magnitude, exp };
}

/** The exact decimal of a JSON number. String(n) is exact for values with ≤ 15 significant digits. */
export function decimalOfNumber(n: number): Decimal {
  if (!Number.isFinite(n)) throw new RangeError(`${n} is not a finite number`);
  return parseDecimal(String(n));
}

export function multiply(a: Decimal, b: Decimal): Decimal {
  return { coef: a.coef * b.coef, exp: a.exp + b.exp };
}

export function subtract(a: Decimal, b: Decimal): Decimal {
  const exp = Math.min(a.exp, b.exp);
  return { coef: scaleUp(a, exp) - scaleUp(b, exp), exp };
}

/** -1, 0 or 1 as a <, =, > b. */
export function compare(a: Decimal, b: Decimal): number {
  const d = subtract(a, b).coef;
  return d < 0n ? -1 : d > 0n ? 1 : 0;
}

/** Plain decimal text without exponent or trailing fractional zeros: {2000n, -1} → "200". */
export function formatDecimal(a: Decimal): string {
  const negative = a.coef < 0n;
  const digits = (negative ? -a.coef : a.coef).toString();
  let text: string;
  if (a.exp >= 0) text = digits + '0'.repeat(a.exp);
  else {
    const padded = digits.padStart(-a.exp + 1, '0');
    const point = padded.length + a.exp;
    text = `${padded.slice(0, point)}.${padded.slice(point)}`.replace(/\.?0+$/, '');
  }
  return negative && text !== '0' ? `-${text}` : text;
}

export function isNegative(a: Decimal): boolean {
  return a.coef < 0n;
}

function scaleUp(a: Decimal, exp: number): bigint {
  return a.coef * 10n ** BigInt(a.exp - exp);
}

/**
 * Divides a scaled integer by 10^scale and rounds half to even (banker's rounding):
 * roundHalfEven(5n, 1) = 0n (0.5), roundHalfEven(15n, 1) = 2n, roundHalfEven(25n, 1) = 2n,
 * roundHalfEven(-15n, 1) = -2n. The one rounding rule for Wh and paise.
 */
export function roundHalfEven(scaled: bigint, scale: number): bigint {
  if (!Number.isSafeInteger(scale) || scale < 0) throw new RangeError(`scale ${scale} must be a non-negative integer`);
  return divideHalfEven(scaled, 10n ** BigInt(scale));
}

/** The nearest integer (half to even) of a decimal. */
export function toInteger(a: Decimal): bigint {
  return a.exp >= 0 ? a.coef * 10n ** BigInt(a.exp) : roundHalfEven(a.coef, -a.exp);
}

/** floor(a / divisor) for a positive integer divisor. */
export function floorDivide(a: Decimal, divisor: bigint): bigint {
  const numerator = a.exp >= 0 ? a.coef * 10n ** BigInt(a.exp) : a.coef;
  const denominator = a.exp >= 0 ? divisor : divisor * 10n ** BigInt(-a.exp);
  const q = numerator / denominator;
  return numerator % denominator !== 0n && numerator < 0n ? q - 1n : q;
}

/** A bigint as a JS number, or a RangeError naming `what` when it is not a safe integer. */
function toSafeNumber(n: bigint, what: string): number {
  if (n > BigInt(Number.MAX_SAFE_INTEGER) || n < -BigInt(Number.MAX_SAFE_INTEGER)) {
    throw new RangeError(`${what} = ${n} is beyond Number.MAX_SAFE_INTEGER`);
  }
  return Number(n);
}

const KILO: Decimal = { coef: 1000n, exp: 0 };

/**
 * kWh decimal string → integer Wh, exactly: ×1000 on the decimal digits, then half-to-even
 * when more than 3 decimals remain. Throws RangeError for non-decimal input or a result
 * beyond Number.MAX_SAFE_INTEGER. Pass JSON numbers as String(n).
 */
export function kwhToWh(decimal: string): number {
  return toSafeNumber(toInteger(multiply(parseDecimal(decimal), KILO)), `${decimal} kWh in Wh`);
}
