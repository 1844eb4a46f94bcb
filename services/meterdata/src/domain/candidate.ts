import type { Channel, ReadSource, ValidationStatus } from './types.js';

/**
 * A read as found in the input, before the per-read VEE rules decide on it. Every field is
 * always present (no optional keys) so all candidates share one object shape: batches run
 * to hundreds of thousands of reads.
 */
export interface CandidateRead {
  path: string;
  meterId: string | null;
  blockStart: number | null;
  /** Sender's offset as written ("Z", "+05:30"): messages quote times in it. */
  zone: string;
  offsetMinutes: number;
  /** Digits below the millisecond in the start time (never on a boundary). */
  subMillisecond: boolean;
  channel: Channel | null;
  wh: number | null;
  /** The exact source value was below zero (even if it rounds to 0 Wh). */
  negative: boolean;
  /** How the value was written, for messages, e.g. "4.62 kWh". */
  valueLabel: string;
  validationStatus: ValidationStatus;
  source: ReadSource;
  /** Set when the input could not be read (CSV row errors, out-of-range values). */
  malformed: string | undefined;
}
