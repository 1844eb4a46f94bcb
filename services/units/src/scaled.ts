/**
 * Exact fixed-point values: kWh ↔ Wh (scale 3) and INR ↔ paise (scale 2). The rule here is
 * "exact or refused"; decimal.ts holds the other rule, "round half to even at the unit",
 * for meter reads whose registers carry more digits than a Wh.
 * Values arrive as JSON numbers or decimal strings; a JSON number is read through
 * String(n), which is exact for every decimal of up to 15 significant digits, so no float
 * multiplication ever touches a quantity. A value with more fractional digits than the
 * scale is refused rather than rounded: a trade is a contract, and silently changing the
 * contracted figure is worse than asking the platform to send what it meant.
 */
const DECIMAL = /^([+-]?)(\d+)(?:\.(\d+))?(?:[eE]([+-]?\d+))?$/;

export type ScaledResult =
  | { ok: true; value: bigint }
  | { ok: false; reason: 'NOT_A_DECIMAL' | 'TOO_PRECISE' };

/** value × 10^scale as an exact integer. */
export function parseScaled(value: unknown, scale: number): ScaledResult {
  let text: string;
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) return { ok: false, reason: 'NOT_A_DECIMAL' };
    text = String(value);
  } else if (typeof value === 'string') text = value.trim();
  else return { ok: false, reason: 'NOT_A_DECIMAL' };
  const m = DECIMAL.exec(text);
  if (!m) return { ok: false, reason: 'NOT_A_DECIMAL' };
  const [, sign = '', whole = '', fraction = '', exponent = '0'] = m;
  const exp = Number(exponent);
  if (Math.abs(exp) > 30) return { ok: false, reason: exp < 0 ? 'TOO_PRECISE' : 'NOT_A_DECIMAL' };
  const digits = (whole + fraction).replace(/^0+(?=\d)/, '');
  const shift = scale + exp - fraction.length; // power of ten the digit string must be multiplied by
  let magnitude: bigint;
  if (shift >= 0) magnitude = BigInt(digits) * 10n ** BigInt(shift);
  else {
    const cut = digits.length + shift;
    const dropped = cut > 0 ? digits.slice(cut) : digits;
    if (/[1-9]/.test(dropped)) return { ok: false, reason: 'TOO_PRECISE' };
    magnitude = cut > 0 ? BigInt(digits.slice(0, cut)) : 0n;
  }
  return { ok: true, value: sign === '-' ? -magnitude : magnitude };
}

/** An exact integer of 10^-scale units as plain decimal text: (18500n, 3) → "18.5". */
export function formatScaled(value: bigint, scale: number): string {
  const negative = value < 0n;
  const digits = (negative ? -value : value).toString().padStart(scale + 1, '0');
  const whole = digits.slice(0, digits.length - scale);
  const fraction = digits.slice(digits.length - scale).replace(/0+$/, '');
  return `${negative ? '-' : ''}${whole}${fraction ? `.${fraction}` : ''}`;
}

/** Wh as the kWh JSON number DEG payloads carry (18500 → 18.5); exact through String(). */
export function whToKwhNumber(wh: number): number {
  return Number(formatScaled(BigInt(wh), 3));
}

/** Paise as an INR JSON number (43715 → 437.15). */
export function paiseToInrNumber(paise: number): number {
  return Number(formatScaled(BigInt(paise), 2));
}

/**
 * A non-negative integer of 10^-scale units as decimal text with exactly `scale` digits
 * after the point, as DEG payloads write quantities and prices: (1234, 3) → "1.234",
 * (1000, 3) → "1.000". Unlike formatScaled it keeps trailing zeros.
 */
export function formatFixedScale(value: number, scale: number): string {
  if (!Number.isSafeInteger(value) || value < 0) throw new RangeError(`${value} is not a non-negative safe integer`);
  const digits = String(value).padStart(scale + 1, '0');
  return `${digits.slice(0, -scale)}.${digits.slice(-scale)}`;
}

/** Paise as rupees for people, always with two decimals: -5 → "₹-0.05", 123450 → "₹1234.50". Exact, not a float division. */
export function formatRupees(paise: number): string {
  if (!Number.isSafeInteger(paise)) throw new RangeError(`${paise} paise is not a safe integer`);
  return `₹${paise < 0 ? '-' : ''}${formatFixedScale(Math.abs(paise), 2)}`;
}
