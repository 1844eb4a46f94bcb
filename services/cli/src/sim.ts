/**
 * The simulator's seeded parts (fleet, a meter's day, head-end faults, CSV, DEG trades) for
 * other workloads, e.g. the fault campaign, which posts them with its own ack ledger.
 */
export { buildFleet, injectFaults, istDayStart, meterDay, toCsv, CSV_HEADER, type Fault, type SimMeter, type SimRow } from './domain/fleet.js';
export { degConfirm, type SimTrade } from './domain/deg-trade.js';
export { createRandom } from './domain/prng.js';
