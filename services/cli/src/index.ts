export { main } from './cli.js';
export { simulate, type SimulationOptions, type SimulationSummary } from './commands/simulate.js';
