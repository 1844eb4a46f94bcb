import type { ErrorCode } from '@ies/errors';
import type { MeterVerdicts } from './meter-verdicts.js';

export type Channel = 'IMPORT' | 'EXPORT';
export type ValidationStatus = 'VALID' | 'ESTIMATED' | 'MANUAL' | 'SUSPECT' | 'REJECTED';
export type ReadSource = 'METER' | 'HES' | 'ESTIMATED' | 'MANUAL' | 'IMPORT' | 'MDM_COMPUTED' | 'CIS_COMPUTED';

export const VALIDATION_STATUSES: readonly ValidationStatus[] = ['VALID', 'ESTIMATED', 'MANUAL', 'SUSPECT', 'REJECTED'];
export const READ_SOURCES: readonly ReadSource[] = ['METER', 'HES', 'ESTIMATED', 'MANUAL', 'IMPORT', 'MDM_COMPUTED', 'CIS_COMPUTED'];

export interface NormalisedRead {
  meterId: string;
  /** UTC epoch ms, on a 15-minute boundary. */
  blockStart: number;
  channel: Channel;
  /** Energy in the block, a safe integer number of Wh. */
  wh: number;
  validationStatus: ValidationStatus;
  source: ReadSource;
}

export interface RejectedRead {
  /** 0-based ordinal of the candidate read in document order. */
  index: number;
  /** Where the value came from, e.g. "[1].intervals[2].payloads[0]" or "line 7, import_wh". */
  path: string;
  meterId: string | null;
  blockStart: number | null;
  channel: Channel | null;
  code: ErrorCode;
  /** The rule and its numbers, e.g. "block start 2026-05-04T09:07:00+05:30 is not on a 15-minute boundary". */
  message: string;
}

export interface MeterInfo {
  meterId: string;
  discomId: string;
  sanctionedLoadW: number;
  derCapacityW?: number;
  /** The head-end the meter is registered to, when the registry names one. */
  headEndId?: string;
  /** IS 15959 meter category (A, B, C, D1…D4) when the registry knows it: IES MeterData rule 8. */
  meterCategory?: string;
}

export type MeterLookup = (meterId: string) => MeterInfo | undefined;

export interface IngestPolicy {
  /** The node's clock (UTC epoch ms), for the not-in-future rule. */
  nowMs: number;
  /** Conversion rule for PT30M interval profiles, chosen per head-end. */
  halfHourProfiles: 'REJECT' | 'SPLIT_EVEN';
  /** Max Wh per block = capacity W × 0.25 h × margin. */
  plausibilityMargin: number;
}

/**
 * PT30M profiles are refused unless a head-end is configured for SPLIT_EVEN: DESIGN.md
 * accepts 30-minute profiles only by an explicit conversion rule.
 */
export const DEFAULT_POLICY: Omit<IngestPolicy, 'nowMs'> = Object.freeze({
  halfHourProfiles: 'REJECT',
  plausibilityMargin: 1.5,
});

export interface IngestContext {
  discomId: string;
  meters: MeterLookup;
  policy: IngestPolicy;
  /** The sending head-end; a meter registered to another head-end is refused. */
  senderId?: string;
  /**
   * Meters already admitted for this DISCOM, head-end and plausibility margin, kept between
   * batches by a caller that starts a new one whenever the registry's meters change
   * (meter-verdicts.ts). Only compactCsvColumns uses it; without it, each batch starts empty.
   */
  meterVerdicts?: MeterVerdicts;
}

export interface IngestResult {
  reads: NormalisedRead[];
  rejected: RejectedRead[];
  /** Valid content that carries no interval reads, e.g. { DailyProfile: 2, 'IntervalProfile:kVAh imp block': 4 }. */
  ignoredProfiles: Record<string, number>;
}
