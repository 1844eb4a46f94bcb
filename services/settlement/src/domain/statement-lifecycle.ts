/**
 * Statement lifecycle. The status is kept beside the statement, not in its hashed content.
 *
 *   DRAFT ──> COMPUTED ──> FINAL
 *     │          │  ╲        │
 *     │          │   DISPUTED ┤──> FINAL (dispute rejected)
 *     └──────────┴───────────┴──> SUPERSEDED (a revision R(n+1) replaces it)
 *
 * DRAFT: built while a trade awaits its other side or a read is missing (content.complete
 * is false); rebuilt in place (refreshDraft) as data arrives. COMPUTED: every figure present. FINAL: signed and released. DISPUTED: a
 * counterparty contests it; it ends FINAL (rejected) or SUPERSEDED (a revision fixes it).
 */
import { defineLifecycle } from '@ies/lifecycle';
import { SettlementError } from './codes.js';
import { SettlementTransitionError } from './transition-error.js';
import type { BuiltStatement } from '@ies/verify';

export type StatementStatus = 'DRAFT' | 'COMPUTED' | 'FINAL' | 'DISPUTED' | 'SUPERSEDED';

const STATEMENT_LIFECYCLE = defineLifecycle<StatementStatus>(
  {
    DRAFT: ['COMPUTED', 'SUPERSEDED'],
    COMPUTED: ['FINAL', 'DISPUTED', 'SUPERSEDED'],
    FINAL: ['DISPUTED', 'SUPERSEDED'],
    DISPUTED: ['FINAL', 'SUPERSEDED'],
    SUPERSEDED: [],
  },
  (from, to, statementId) => new StatementTransitionError(statementId ?? 'statement', from, to as StatementStatus),
);

export const VALID_STATEMENT_TRANSITIONS = STATEMENT_LIFECYCLE.transitions;

export interface StatementRecord {
  readonly statementId: string;
  readonly sha256: string;
  readonly status: StatementStatus;
}

export class StatementTransitionError extends SettlementTransitionError<StatementStatus> {
  constructor(statementId: string, from: StatementStatus, to: StatementStatus) {
    super('IES_ERR_STATEMENT_TRANSITION', `statement ${statementId}`, from, to, VALID_STATEMENT_TRANSITIONS[from]);
    this.name = 'StatementTransitionError';
  }
}

/** A new record: DRAFT while the content is incomplete, COMPUTED otherwise. */
export function openStatement(statement: BuiltStatement): StatementRecord {
  return { statementId: statement.content.id, sha256: statement.sha256, status: statement.content.complete ? 'COMPUTED' : 'DRAFT' };
}

export const canTransitionStatement = STATEMENT_LIFECYCLE.can;

export function transitionStatement(record: StatementRecord, to: StatementStatus): StatementRecord {
  return { ...record, status: STATEMENT_LIFECYCLE.assert(record.status, to, record.statementId) };
}

/** A DRAFT rebuilt from newer data (same statement id): stays DRAFT or becomes COMPUTED. */
export function refreshDraft(record: StatementRecord, rebuilt: BuiltStatement): StatementRecord {
  if (record.status !== 'DRAFT') throw new StatementTransitionError(record.statementId, record.status, rebuilt.content.complete ? 'COMPUTED' : 'DRAFT');
  if (rebuilt.content.id !== record.statementId) {
    throw new SettlementError('IES_ERR_STATEMENT_REVISION_INVALID', `${rebuilt.content.id} does not rebuild draft ${record.statementId}`);
  }
  return { statementId: record.statementId, sha256: rebuilt.sha256, status: rebuilt.content.complete ? 'COMPUTED' : 'DRAFT' };
}

/**
 * A calendar run's statement is issued COMPUTED even with gaps: it states them (`pending`,
 * lines marked by the run's missing-data policy) and the next run settles them; it is
 * never rebuilt in place.
 */
export function issueRun(statement: BuiltStatement): StatementRecord {
  return { statementId: statement.content.id, sha256: statement.sha256, status: 'COMPUTED' };
}
