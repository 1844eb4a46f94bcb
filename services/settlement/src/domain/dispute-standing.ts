/**
 * Who may raise a dispute on which lines of a DISCOM's statement, and who decides it:
 *
 *   the DISCOM's settlement desk (role DISCOM of the tenant)   any line; and it alone decides
 *   a counterparty DISCOM hosted here (role DISCOM of another tenant)
 *                                                              lines towards it (counterparty discom:<it>)
 *   a counterparty DISCOM on another node (role PEER_DISCOM of the tenant, its id the peer's
 *   DISCOM id, its keys the peer's settlement keys)            lines towards it (counterparty discom:<its id>)
 *   a platform (role PLATFORM of the tenant)                   lines of trades it handed in
 *   an aggregator (role AGGREGATOR of the tenant)              its own lines (counterparty aggregator:<it>)
 *
 * Anyone else has no standing (IES_ERR_DISPUTE_NO_STANDING). A caller outside the DISCOM (another
 * tenant's, or a peer DISCOM) refused here must learn nothing of the statement (`outsideTheDiscom`).
 */
import { party } from '@ies/verify';
import { SettlementError } from './codes.js';
import type { MatchedLine } from './dispute.js';

export interface Signer {
  readonly discomId: string;
  readonly participantId: string;
  readonly role: string;
}

/** Lines of trades: the ones a platform may contest for the trades it handed in. */
const TRADE_KINDS = new Set(['P2P_ENERGY', 'SELLER_SHORTFALL', 'BUYER_SHORTFALL', 'WHEELING', 'TRANSACTION_CHARGE']);

/** Refuses a raiser without standing on every line; `platformsOf` gives the platforms of a trade. */
export function checkRaiseStanding(signer: Signer, statementDiscomId: string, matched: readonly MatchedLine[], platformsOf: (tradeId: string) => readonly string[]): void {
  const refuse = (why: string) => new SettlementError('IES_ERR_DISPUTE_NO_STANDING', `${signer.participantId} (${signer.role} of ${signer.discomId}) ${why}`);
  const own = signer.discomId === statementDiscomId;
  if (own && signer.role === 'DISCOM') return;
  const each = (ok: (m: MatchedLine) => boolean, what: string) => {
    const bad = matched.find((m) => !ok(m));
    if (bad !== undefined) throw refuse(`may dispute ${what} only; ${bad.stated.kind} ${bad.stated.reference} (${bad.stated.payer} → ${bad.stated.payee}) is not one`);
  };
  if (!own && signer.role === 'DISCOM') return each((m) => m.stated.counterparty === party.discom(signer.discomId), `lines of ${statementDiscomId} towards ${signer.discomId}`);
  // A peer's id is its DISCOM id (the registry checks the form); the tenant's own id would name no counterparty.
  if (own && signer.role === 'PEER_DISCOM' && signer.participantId !== statementDiscomId) return each((m) => m.stated.counterparty === party.discom(signer.participantId), `lines of ${statementDiscomId} towards ${signer.participantId}`);
  if (own && signer.role === 'PLATFORM') return each((m) => TRADE_KINDS.has(m.stated.kind) && platformsOf(m.stated.reference).includes(signer.participantId), 'lines of the trades it handed in');
  if (own && signer.role === 'AGGREGATOR') return each((m) => m.stated.counterparty === party.aggregator(signer.participantId), 'its own lines');
  throw refuse(`has no standing on ${statementDiscomId}'s statements`);
}

/**
 * Whether the signer stands outside the statement DISCOM: a participant of another tenant, or
 * the tenant's PEER_DISCOM (another DISCOM, on another node). Refused on a line, such a caller
 * gets the answer a statement that does not exist gets.
 */
export function outsideTheDiscom(signer: Signer, statementDiscomId: string): boolean {
  return signer.discomId !== statementDiscomId || signer.role === 'PEER_DISCOM';
}

/** Only the statement DISCOM's own desk decides its disputes. */
export function checkDecisionStanding(signer: Signer, statementDiscomId: string): void {
  if (signer.discomId !== statementDiscomId || signer.role !== 'DISCOM') {
    throw new SettlementError('IES_ERR_DISPUTE_NO_STANDING', `${signer.participantId} (${signer.role} of ${signer.discomId}) may not decide disputes on ${statementDiscomId}'s statements: its settlement desk (role DISCOM of ${statementDiscomId}) decides`);
  }
}
