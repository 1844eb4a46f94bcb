export { startRuntime, type RuntimeOptions, type ServiceRuntime } from './start.js';
export { runUntilSignalled } from './signals.js';
