// `@ies/loader/migrations`: the loader's tables (reads, reads_by_batch, read_days, dead_letters,
// receipts, dr_events) for services that read them and migrate them before their own.
export { migrateLoaderTables, LOADER_MIGRATIONS } from './migrate.js';
