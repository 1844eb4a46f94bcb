export { main } from './cli.js';
export { sampleBatch, type SampleRead } from './commands/sample-batch.js';
