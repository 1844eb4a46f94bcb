// `@ies/dr/migrations`: dr's tables (dr_baselines, dr_performance, dr_delivery), migrated
// after the loader's reads tables it reads.
export { migrateDrTables, DR_MIGRATIONS } from './migrate.js';
