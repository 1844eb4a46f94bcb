export { divideFloor, divideHalfEven, toSafeInteger } from './rounding.js';
