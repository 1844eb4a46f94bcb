// `@ies/settlement/testing`: the parts of settlement that integration tests of other
// workspaces (the gateway's harness drives trades, sides and statement runs) and the CLI's
// offline tests build on. Not for production use by another service.
export { CSV_HEADER } from './domain/statement-csv.js';
export { combineSides, type FinalAllocation } from './domain/final-allocation.js';
export { SIDE_ALLOCATION_SCHEMA, type SideAllocation } from './domain/allocation.js';
export { normaliseDegTrade } from './domain/deg-contract.js';
export type { NormalisedTrade } from './domain/trade.js';
export type { PolicyPack } from './domain/policy-pack.js';
export { buildStatement } from './domain/statement.js';
export { drSourceOf } from './dr-source.js';
export { P2pStore } from './p2p-store.js';
export { SettlementKeys } from './settlement-keys.js';
export { signSide } from './side-signature.js';
export { signStatement } from './statement-signing.js';
export { StatementSinks } from './statement-sinks.js';
export { StatementStore } from './statement-store.js';
export { runStatement } from './statement-run.js';
export { runCalendarStatement, type CalendarRunDeps } from './statement-calendar-run.js';
export { finalsAtCutoff } from './finals-at-cutoff.js';
export { tradesAtCutoff } from './trades-at-cutoff.js';
export { settlementStoreRebuilder } from './p2p-store-rebuild.js';
export { DisputeStore } from './dispute-store.js';
export { STATEMENT_LINES_TABLE } from './statement-sinks.js';
export { estimatedFinals } from './run-estimates.js';
export { loadSideReads } from './side-reads.js';
