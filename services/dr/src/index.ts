// The DR service's process entry (baseline worker, performance sweep, aggregator feed and
// webhook relay). Others use its narrow entry points: `@ies/dr/http` (DR routes),
// `@ies/dr/migrations` (its tables), `@ies/dr/events` (DR events and their measured
// performance, which settlement turns into statement lines), `@ies/dr/testing` (parts the
// gateway's integration tests and the demo drive).
export { startDrService } from './main.js';
export type { PerformanceSweep } from './performance-sweep.js';
