// `@ies/loader/migrations`: the loader's tables (reads, reads_by_batch, read_days, dead_letters,
// receipts, dr_events) for services that read them and migrate them before their own, and
// the copy that makes read_days whole (the loader runs it; benches and tests call it directly).
export { migrateLoaderTables, LOADER_MIGRATIONS } from './migrate.js';
export { backfillReadDays, type BackfillOptions, type BackfillResult } from './read-days-backfill.js';
