/**
 * DEG demand-flex payloads carry power in kW and prices in INR per kWh as JSON decimals;
 * this backbone keeps energy in integer Wh per 15-minute interval and prices in integer
 * paise per kWh. The conversions parse the decimal text (never float arithmetic) and refuse
 * a value that does not convert to a whole unit, instead of rounding a contract term.
 */
import { parseScaled } from '@ies/units';

/** DEG writes these terms as plain non-negative decimals: no sign, no exponent. */
const PLAIN_DECIMAL = /^\d+(?:\.\d+)?$/;

/**
 * value × 10^scale ÷ divisor as an exact integer by the "exact or refused" rule of
 * @ies/units (parseScaled), or a RangeError naming `what`.
 */
function exactScaled(value: string | number, scale: number, divisor: bigint, what: string): number {
  const text = typeof value === 'number' ? String(value) : value;
  if (!PLAIN_DECIMAL.test(text)) throw new RangeError(`${what} "${text}" is not a non-negative decimal number`);
  const scaled = parseScaled(text, scale);
  if (!scaled.ok || scaled.value % divisor !== 0n) throw new RangeError(`${what} "${text}" is not a whole number of the target unit`);
  const result = scaled.value / divisor;
  if (result > BigInt(Number.MAX_SAFE_INTEGER)) throw new RangeError(`${what} "${text}" is too large`);
  return Number(result);
}

/** "3.5" INR/kWh → 350 paise/kWh. */
export function rupeesToPaise(value: string | number): number {
  return exactScaled(value, 2, 1n, 'price in INR');
}

/** Average kW over a 15-minute interval → Wh in it: kW × 1000 × 0.25 h = kW × 1000 ÷ 4. */
export function kwToWhPerInterval(value: string | number): number {
  return exactScaled(value, 3, 4n, 'power in kW');
}

/** ISO 8601 duration of a DEG interval grid (PT15M, PT30M, PT1H, PT1H30M) in whole 15-minute intervals. */
export function intervalsInDuration(duration: string): number {
  const m = /^PT(?:(\d+)H)?(?:(\d+)M)?$/.exec(duration);
  if (!m || (m[1] === undefined && m[2] === undefined)) throw new RangeError(`duration "${duration}" is not PT#H#M`);
  const minutes = Number(m[1] ?? 0) * 60 + Number(m[2] ?? 0);
  if (minutes === 0 || minutes % 15 !== 0) throw new RangeError(`duration "${duration}" is not a whole number of 15-minute intervals`);
  return minutes / 15;
}
