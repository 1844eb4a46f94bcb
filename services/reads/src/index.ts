// The only reader of the loader's reads tables (reads, reads_by_batch). dr history,
// settlement side reads and the log API's read index ask here; the SQL is in queries.ts.
export { USABLE_STATUSES, isUsableStatus } from './statuses.js';
export { loadLatestSeries, loadLatestSeriesOfMany, readFingerprints, type LoadedSeries, type SeriesRequest } from './latest-reads.js';
export { loadHistoryGrid, loadHistoryRows, type HistoryGridSpec } from './history-grid.js';
export { BLOCKS_PER_DAY, historyDaysOfRow, type HistoryDays, type HistoryRows } from './history-decode.js';
export { countReads, locateRead, readsOfBatch, sampleReads, storedReadVersions, type StoredRead, type StoredReadVersion } from './batch-reads.js';
export type { Channel, ReadsRange } from './queries.js';
