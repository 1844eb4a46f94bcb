export { divideFloor, divideHalfEven, divideHalfEvenSafe, toSafeInteger } from './rounding.js';
export { MAX_DR_INTERVALS, MAX_DR_INTERVAL_WH, MAX_RATE_PAISE_PER_KWH, MAX_TRADE_INTERVAL_WH } from './money-bounds.js';
