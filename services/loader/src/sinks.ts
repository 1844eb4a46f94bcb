import type { Sink } from './sink.js';
import { deadLettersSink } from './sinks/dead-letters.js';
import { drEventsSink } from './sinks/dr-events.js';
import { meterBatchesSink } from './sinks/meter-batches.js';
import { receiptsSink } from './sinks/receipts.js';

/**
 * What the loader loads: for every tenant, each sink's topic into its table. Adding a topic
 * is one entry here (a Sink in sinks/) and one migration creating its table (README
 * "Adding a topic").
 */
export const SINKS: readonly Sink[] = Object.freeze([meterBatchesSink, deadLettersSink, receiptsSink, drEventsSink] as Sink[]);

/** Table of the dead letters every sink may return. */
export const DEAD_LETTER_SINK = deadLettersSink;
