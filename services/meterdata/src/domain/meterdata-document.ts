/**
 * The parts of an IES MeterData v0.6 document the rules read. A document is cast to these
 * shapes only after it has matched schema.json, which guarantees the types below.
 */
import type { ReadSource, ValidationStatus } from './types.js';

export interface Identifier { scheme: string; value: string; namespace?: string }
export interface Period { start: string; duration: string }

export type TelemetryMode = 'READING' | 'USAGE';
export type SequenceAttribute = 'value' | 'occurredAt' | 'openingValue' | 'closingValue' | 'validationStatus';

export interface PayloadDescriptor {
  readingType: string;
  obis?: string;
  name?: string;
  unit?: string;
  flowDirection?: string;
  category?: string;
  reportedMode?: TelemetryMode;
  touZone?: number;
  multiplier?: number;
  accuracy?: number;
}

export interface SequenceItem { readingType: string; attribute?: SequenceAttribute }
export interface CompactSequence { name: string; sequenceItems: SequenceItem[] }
export interface PayloadDescriptorSet { name: string; payloadDescriptors: PayloadDescriptor[]; compactSequences?: CompactSequence[] }

export interface Reading {
  readingType: string;
  value: number;
  openingValue?: number;
  closingValue?: number;
  timePeriod?: Period;
  occurredAt?: string;
  validationStatus?: ValidationStatus;
  source?: ReadSource;
}

export interface Override {
  descriptorIndex: number;
  validationStatus?: ValidationStatus;
  source?: ReadSource;
}

export interface Interval {
  id: number;
  intervalPeriod?: Period;
  payloads?: (number | string | boolean)[];
  readings?: Reading[];
  overrides?: Override[];
}

/** Any profile of the `oneOf` in schema.json; fields not declared for a profileType are absent or ignored. */
export interface Profile {
  profileType: string;
  meterRefs?: Identifier[];
  payloadDescriptorSetRef?: string;
  compactSequenceRef?: string;
  intervalPeriod?: Period;
  intervals?: Interval[];
  readings?: Reading[];
  touBuckets?: { zone: number; readings: Reading[] }[];
  /** DESCRIPTOR only. */
  id?: string;
  payloadDescriptorSets?: PayloadDescriptorSet[];
}

/** Names used in messages and ignoredProfiles: the schema's profile titles. */
export const PROFILE_TITLES: Readonly<Record<string, string>> = Object.freeze({
  DESCRIPTOR: 'PayloadDescriptorProfile',
  CUSTOMER: 'CustomerProfile',
  INTERVAL: 'IntervalProfile',
  DAILY: 'DailyProfile',
  MONTHLY: 'MonthlyProfile',
  BILL_DETAILS: 'BillDetails',
  INSTANTANEOUS: 'InstantaneousProfile',
  EVENT: 'EventProfile',
  ALARM: 'AlarmProfile',
});

/** Profile shapes whose schema declares the interval matrix (intervalPeriod, intervals, compactSequenceRef). */
export const MATRIX_PROFILES: ReadonlySet<string> = new Set(['INTERVAL', 'DAILY']);
