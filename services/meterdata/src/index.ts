export {
  DEFAULT_POLICY,
  type Channel,
  type IngestContext,
  type IngestPolicy,
  type IngestResult,
  type MeterInfo,
  type MeterLookup,
  type NormalisedRead,
  type ReadSource,
  type RejectedRead,
  type ValidationStatus,
} from './domain/types.js';
export { normaliseIesMeterData } from './domain/normalise-ies.js';
export { normaliseCompactCsv, CSV_HEADER } from './domain/normalise-csv.js';
export { normaliseBatch, type BatchFormat } from './domain/normalise-batch.js';
export { MeterVerdicts, MAX_KEPT_METERS, sameAsciiId } from './domain/meter-verdicts.js';
export { compactCsvColumns, readOfColumns, readsOfColumns, CHANNELS, COMPACT_CSV_SOURCE, type CompactCsvColumns } from './domain/compact-csv-columns.js';
export { VALIDATION_STATUSES } from './domain/types.js';
