export { divideFloor, divideHalfEven, divideHalfEvenSafe, toSafeInteger } from './rounding.js';
export { MAX_DR_INTERVALS, MAX_DR_INTERVAL_WH, MAX_RATE_PAISE_PER_KWH, MAX_TRADE_INTERVAL_WH } from './money-bounds.js';
export {
  BLOCKS_PER_DAY, BLOCK_MINUTES, BLOCK_MS, DAY_MS, IST_OFFSET_MS,
  blockIndexOf, dateOfDayIndex, dayIndexOfDate, dayOfWeek, formatIstTime, isBlockAligned, istDayEnd, istDayIndexOf, istDayOf, istDayStart, istDayStartMs,
} from './ist.js';
export { formatDuration, formatInstant, parseDuration, parseInstant } from './instant.js';
export { formatFixedScale, formatRupees, formatScaled, paiseToInrNumber, parseScaled, whToKwhNumber, type ScaledResult } from './scaled.js';
export {
  compare, decimalOfNumber, floorDivide, formatDecimal, isNegative, kwhToWh, multiply, parseDecimal, roundHalfEven, subtract, toInteger, type Decimal,
} from './decimal.js';
