export { SettlementError, type Problem, type SettlementCode } from './domain/codes.js';
export { tradeDigest, tradeIdOf, type NormalisedTrade, type Side, type TradeInterval, type TradeParty, type TradeRecord, type TradeState } from './domain/trade.js';
export { mergeEvidence, type CheckpointRef } from './domain/evidence.js';
export { normaliseDegTrade, type IntakeResult, type TradeIntakeContext } from './domain/deg-contract.js';
export { VALID_TRANSITIONS, TradeTransitionError, applyTradeUpdate, canTransitionTrade, newTradeRecord, transitionTrade, type UpdateResult } from './domain/trade-lifecycle.js';
export { allocateProRata } from './domain/pro-rata.js';
export {
  SIDE_ALLOCATION_SCHEMA, SIDE_CHANNEL, allocateSide, combineSides, finalAllocation, reallocate, sideAllocationJson, validateSideAllocation,
  type AllocatedInterval, type Channel, type FinalAllocation, type FinalInterval, type MeterSeries, type ReadSource, type ReallocationResult, type SideAllocation, type SideInput,
} from './domain/allocation.js';
export { renderOnStatus, type OnStatusContext, type OnStatusOptions } from './domain/on-status.js';
export { policyReference, selectPolicy, validatePolicyPack, type PolicyPack, type ShortfallTreatment, type SideRates } from './domain/policy-pack.js';
export { buildStatement, type AdjustmentInput, type DrLineInput, type StatementInputs } from './domain/statement.js';
export { LINE_KINDS, STATEMENT_SCHEMA, party, seal, statementId, type BuiltStatement, type LineKind, type NetPosition, type StatementContent, type StatementLine, type StatementScope } from './domain/statement-content.js';
export { checkInterDiscomAgreement, checkZeroSum, type BalanceCheck } from './domain/statement-balances.js';
export { lineAmount } from './domain/statement-charges.js';
export { diffStatements } from './domain/statement-revisions.js';
export { CSV_HEADER, renderCsv } from './domain/statement-csv.js';
export { VALID_STATEMENT_TRANSITIONS, StatementTransitionError, canTransitionStatement, openStatement, refreshDraft, transitionStatement, type StatementRecord, type StatementStatus } from './domain/statement-lifecycle.js';
// Adapters (Redis, Kafka, ClickHouse): P2P trade store, reconciliation, the inter-DISCOM exchange.
export { P2pStore, tradeDays, type FinalRecord, type OutboxKind, type SideDelivery, type StoredSide } from './p2p-store.js';
// --- statement service (adapters) ---
export { drStatementInputs, type DrEventSummary, type DrPerformanceTotals, type DrSource, type DrStatementInputs } from './dr-lines.js';
export { drSourceOf } from './dr-source.js';
export { SETTLEMENT_POLICIES_DIR, loadSettlementPolicies } from './policies.js';
export { SETTLEMENT_KEY_ROLE, STATEMENT_TYP, detachedJws, signStatement, statementJsonOfJws, verifyStatementJws, type StatementCheck, type StatementCheckCode, type StatementSigningKey } from './statement-jws.js';
export { STATEMENT_QUEUE, dueDays, runJobId, sweepSchedulerId, type StatementJob } from './statement-jobs.js';
export { StatementRunQueue } from './statement-queue.js';
export { runStatement, type P2pDayInputs, type RunOutcome, type StatementRunDeps } from './statement-run.js';
export { StatementSinks, type StatementEvent } from './statement-sinks.js';
export { REQUESTABLE_STATUSES, changeStatementStatus, type RequestableStatus } from './statement-status.js';
export { StatementStore, scopeKey, type StatementSummary, type StatusChange, type StoredStatement } from './statement-store.js';
export { startStatementWorker, type StatementWorker, type StatementWorkerDeps } from './statement-worker.js';
export { Reconciler, RECONCILER, type ReconcilerDeps, type SweepReport } from './reconciler.js';
export { SettlementKeys, publishedSettlementKeys, trustedSettlementKeys } from './settlement-keys.js';
export { SIDE_JWS_TYP, claimedSide, signSide, verifySide } from './side-signature.js';
export { SideExchange, type SideMessage, type DeliveryOutcome } from './side-exchange.js';
export { loadSideReads, SETTLEMENT_USABLE_STATUSES, type LoadedSeries } from './side-reads.js';
export { startSettlementService } from './main.js';
