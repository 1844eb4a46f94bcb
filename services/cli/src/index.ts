export { main } from './cli.js';
export { simulate, type SimulationOptions, type SimulationSummary } from './commands/simulate.js';
export { createRandom, seedOf } from './domain/prng.js';
export { CSV_HEADER } from './domain/fleet.js';
