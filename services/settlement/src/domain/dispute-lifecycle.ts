/**
 * Dispute lifecycle. Every move but APPLIED is a signed decision of the statement DISCOM's
 * settlement desk; APPLIED is made by the run whose signed statement carries the adjustment.
 *
 *   RAISED ──> UNDER_REVIEW ──> UPHELD ──> APPLIED (the next run's adjustment line cites it)
 *                           └─> REJECTED
 */
import { defineLifecycle } from '@ies/lifecycle';
import { SettlementTransitionError } from './transition-error.js';

export const DISPUTE_STATUSES = ['RAISED', 'UNDER_REVIEW', 'UPHELD', 'REJECTED', 'APPLIED'] as const;
export type DisputeStatus = (typeof DISPUTE_STATUSES)[number];

/** What a desk may decide (APPLIED is the run's). */
export const DECIDABLE_STATUSES = ['UNDER_REVIEW', 'UPHELD', 'REJECTED'] as const;
export type DecidableStatus = (typeof DECIDABLE_STATUSES)[number];

const DISPUTE_LIFECYCLE = defineLifecycle<DisputeStatus>(
  {
    RAISED: ['UNDER_REVIEW'],
    UNDER_REVIEW: ['UPHELD', 'REJECTED'],
    UPHELD: ['APPLIED'],
    REJECTED: [],
    APPLIED: [],
  },
  (from, to, subject) => new DisputeTransitionError(subject ?? 'dispute', from, to as DisputeStatus),
);

export const VALID_DISPUTE_TRANSITIONS = DISPUTE_LIFECYCLE.transitions;
export const canTransitionDispute = DISPUTE_LIFECYCLE.can;

export class DisputeTransitionError extends SettlementTransitionError<DisputeStatus> {
  constructor(disputeId: string, from: DisputeStatus, to: DisputeStatus) {
    super('IES_ERR_DISPUTE_TRANSITION', `dispute ${disputeId}`, from, to, VALID_DISPUTE_TRANSITIONS[from]);
    this.name = 'DisputeTransitionError';
  }
}

/** `to` when the move is allowed; otherwise IES_ERR_DISPUTE_TRANSITION naming the allowed moves. */
export function transitionDispute(disputeId: string, from: DisputeStatus, to: DisputeStatus): DisputeStatus {
  return DISPUTE_LIFECYCLE.assert(from, to, disputeId);
}
