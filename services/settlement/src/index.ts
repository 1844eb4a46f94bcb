export { SETTLEMENT_CODES, SettlementError, type Problem, type SettlementCode, type SettlementCodeSpec } from './domain/codes.js';
export { BLOCK_MS, BLOCKS_PER_DAY, IST_OFFSET_MS, formatInstant, istDayOf, istDayStart, parseDuration, parseInstant } from './domain/time.js';
export { formatScaled, parseScaled } from './domain/decimal.js';
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
export {
  LINE_KINDS, STATEMENT_SCHEMA, buildStatement, checkInterDiscomAgreement, checkZeroSum, diffStatements, lineAmount, party, seal, statementId,
  type AdjustmentInput, type BalanceCheck, type BuiltStatement, type DrLineInput, type LineKind, type NetPosition, type StatementContent, type StatementInputs, type StatementLine, type StatementScope,
} from './domain/statement.js';
export { CSV_HEADER, renderCsv } from './domain/statement-csv.js';
export { VALID_STATEMENT_TRANSITIONS, StatementTransitionError, canTransitionStatement, openStatement, refreshDraft, transitionStatement, type StatementRecord, type StatementStatus } from './domain/statement-lifecycle.js';
