// `@ies/settlement/migrations`: settlement's tables (p2p_trades, p2p_allocations, statements,
// statement_lines), migrated after the loader's and dr's whose tables it reads.
export { migrateSettlementTables, SETTLEMENT_MIGRATIONS } from './migrate.js';
