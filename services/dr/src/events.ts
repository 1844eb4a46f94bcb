// `@ies/dr/events`: what another service reads of DR: the events (their Redis store and
// lifecycle) and each event's measured performance.
export { DrEventStore, type DrEventRecord } from './event-store.js';
export { readPerformance, readPerformanceTotalsAsOf } from './dr-tables.js';
