/**
 * Whether a dispute is admitted, by the DISCOM's policy pack: its type accepted, raised by
 * its deadline (counted from the disputed run's data cut-off, a figure of the signed
 * statement, so anyone can recompute it) and material: the claimed change to the most
 * affected party's position reaches `materialityPaise`.
 *
 * The adjustment an upheld dispute makes is the same arithmetic: per counterparty, the
 * claimed minus the stated amounts of its lines, signed as adjustment inputs are (positive
 * when the counterparty pays the DISCOM more).
 */
import { party, type StatementContent } from '@ies/verify';
import { SettlementError } from './codes.js';
import type { DisputeDocument, MatchedLine } from './dispute.js';
import type { DisputeTerms } from './dispute-policy.js';

const MINUTE_MS = 60_000;

export interface DisputeAdjustment {
  readonly counterparty: string;
  /** Positive when the counterparty pays the DISCOM, negative when the DISCOM pays it. */
  readonly amountPaise: number;
}

/** The adjustments the claims make, one per counterparty whose position moves, in counterparty order. */
export function claimedAdjustments(discomId: string, matched: readonly MatchedLine[]): DisputeAdjustment[] {
  const self = party.discom(discomId);
  const byParty = new Map<string, number>();
  for (const { disputed, stated } of matched) {
    const delta = disputed.claimed.amountPaise - stated.amountPaise;
    const signed = stated.payee === self ? delta : -delta;
    byParty.set(stated.counterparty, (byParty.get(stated.counterparty) ?? 0) + signed);
  }
  return [...byParty.entries()].filter(([, a]) => a !== 0).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([counterparty, amountPaise]) => ({ counterparty, amountPaise }));
}

/** The deadline of a dispute of this type on this statement, or IES_ERR_DISPUTE_INVALID when the pack does not take the type. */
export function disputeDeadline(terms: DisputeTerms | undefined, doc: DisputeDocument, statement: StatementContent): number {
  const type = terms?.types[doc.type];
  if (terms === undefined || type === undefined) throw new SettlementError('IES_ERR_DISPUTE_INVALID', `the policy pack ${statement.policy.policyId} v${statement.policy.version} of ${statement.discomId} takes no ${doc.type} disputes${terms === undefined ? ' (it has no "disputes" terms)' : `; it takes ${Object.keys(terms.types).join(', ')}`}`);
  return statement.run!.cutoffMs + type.deadlineMinutesAfterCutoff * MINUTE_MS;
}

/** Refuses a late or immaterial dispute with its own code; the adjustments it claims otherwise. */
export function admitDispute(terms: DisputeTerms | undefined, doc: DisputeDocument, statement: StatementContent, matched: readonly MatchedLine[], raisedAtMs: number): DisputeAdjustment[] {
  const deadline = disputeDeadline(terms, doc, statement);
  if (raisedAtMs > deadline) {
    throw new SettlementError('IES_ERR_DISPUTE_LATE', `${doc.type} disputes of ${statement.id} were due by ${new Date(deadline).toISOString()} (run ${statement.run!.name} cut off at ${new Date(statement.run!.cutoffMs).toISOString()} + ${terms!.types[doc.type]!.deadlineMinutesAfterCutoff} min); this one was raised at ${new Date(raisedAtMs).toISOString()}`);
  }
  const adjustments = claimedAdjustments(statement.discomId, matched);
  const largest = Math.max(0, ...adjustments.map((a) => Math.abs(a.amountPaise)));
  if (largest < terms!.materialityPaise) {
    throw new SettlementError('IES_ERR_DISPUTE_IMMATERIAL', `the claims move no party's position by ${terms!.materialityPaise} paise or more (the materiality threshold of ${statement.policy.policyId}); the largest change is ${largest} paise`);
  }
  return adjustments;
}
