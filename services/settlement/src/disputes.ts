/**
 * The dispute use cases: raise (a signed document checked against the disputed statement,
 * the raiser's standing, the pack's deadline and materiality, and its evidence) and decide
 * (a signed decision of the statement DISCOM's desk). Applying is the next run's
 * (statement-calendar-run.ts, `disputeAdjustments`).
 */
import { IesError } from '@ies/errors';
import { statementJsonOfJws, type StatementContent } from '@ies/verify';
import { SettlementError } from './domain/codes.js';
import { admitDispute } from './domain/dispute-admission.js';
import { checkEvidence, type EvidenceContext } from './domain/dispute-evidence.js';
import { transitionDispute, type DecidableStatus } from './domain/dispute-lifecycle.js';
import { checkDecisionStanding, checkRaiseStanding, outsideTheDiscom, type Signer } from './domain/dispute-standing.js';
import { disputeIdOf, matchLines, parseDispute, statementDiscom } from './domain/dispute.js';
import { policyReference, type PolicyPack } from './domain/policy-pack.js';
import type { TradeRecord } from './domain/trade.js';
import type { DisputeRecord, DisputeStore, SignedWrite } from './dispute-store.js';
import type { StatementStore } from './statement-store.js';
import type { StatementSinks } from './statement-sinks.js';
import { changeStatementStatus } from './statement-status.js';
import { decidedAdjustments, type DecidedFigure } from './domain/dispute-decision.js';

export interface DisputeDeps {
  readonly disputes: DisputeStore;
  readonly statements: StatementStore;
  /** Where a statement's DISPUTED and FINAL moves made by a dispute are recorded (statements.v1, ClickHouse). */
  readonly sinks: StatementSinks;
  readonly policies: readonly PolicyPack[];
  readonly tradesForDay: (discomId: string, day: string) => Promise<readonly TradeRecord[]>;
  /** Only DISCOMs hosted here are disputed here (their statements live here). */
  readonly hosted: readonly string[];
  readonly evidence: EvidenceContext;
  readonly now: () => number;
}

const notFound = (discomId: string, id: string) => new SettlementError('IES_ERR_DISPUTE_NOT_FOUND', `${discomId} has no dispute ${id}`);

/** A new dispute, RAISED; the same signed document raised again answers the existing dispute. */
export async function raiseDispute(deps: DisputeDeps, signer: Signer, bytes: Buffer, signed: SignedWrite): Promise<DisputeRecord> {
  let json: unknown;
  try {
    json = JSON.parse(bytes.toString('utf8'));
  } catch {
    throw new SettlementError('IES_ERR_DISPUTE_INVALID', 'the body is not JSON');
  }
  const doc = parseDispute(json);
  const discomId = statementDiscom(doc.statementId);
  const missing = new SettlementError('IES_ERR_DISPUTE_INVALID', `no statement ${doc.statementId} on this node`);
  if (!deps.hosted.includes(discomId)) throw missing;
  const stored = await deps.statements.get(discomId, doc.statementId);
  if (stored === undefined) throw missing;
  const statement = JSON.parse(statementJsonOfJws(stored.jws)) as StatementContent;
  const day = stored.day;
  let matched: ReturnType<typeof matchLines>;
  try {
    matched = matchLines(doc, statement);
    const trades = new Map((await deps.tradesForDay(discomId, day)).map((t) => [t.trade.tradeId, t.trade]));
    checkRaiseStanding(signer, discomId, matched, (tradeId) => {
      const t = trades.get(tradeId);
      return t === undefined ? [] : [t.seller.platformId, t.buyer.platformId];
    });
  } catch (err) {
    // A caller outside the DISCOM (another tenant's, or its peer DISCOM on another node) without
    // standing on lines that name it learns nothing of the statement: the very answer a statement
    // that does not exist gets.
    if (outsideTheDiscom(signer, discomId)) throw missing;
    throw err;
  }
  if (stored.status === 'SUPERSEDED') throw new SettlementError('IES_ERR_DISPUTE_INVALID', `${doc.statementId} is superseded: dispute the day's latest run, whose figures stand`);
  // A DRAFT cannot move to DISPUTED: refuse before anything is recorded, or the dispute would exist and every retry fail.
  if (stored.status === 'DRAFT') throw new SettlementError('IES_ERR_DISPUTE_INVALID', `${doc.statementId} is a DRAFT: its figures are not complete yet; dispute it once it is COMPUTED or FINAL`);
  const disputeId = disputeIdOf(bytes);
  const existing = await deps.disputes.get(discomId, disputeId);
  if (existing !== undefined) {
    // A retry: answered once what was committed is on disputes.v1 (a relay that failed left it queued).
    await deps.disputes.relay(discomId);
    await markDisputed(deps, existing, signed);
    return existing;
  }
  // The terms of the pack the statement applied (by hash): a dispute is judged by the rules of the run it contests.
  const policy = deps.policies.find((p) => p.discomId === discomId && policyReference(p).sha256 === statement.policy.sha256);
  const raisedAt = deps.now();
  const adjustments = admitDispute(policy?.disputes, doc, statement, matched, raisedAt);
  const proven = await checkEvidence(doc, matched, discomId, deps.evidence);
  const record: DisputeRecord = {
    disputeId, discomId, statementId: doc.statementId, day, status: 'RAISED', document: doc,
    raisedBy: { discomId: signer.discomId, participantId: signer.participantId, role: signer.role }, raisedAt, adjustments, proven, appliedIn: null,
  };
  const created = await deps.disputes.create(record, { status: 'RAISED', at: raisedAt, by: signer.participantId, byDiscomId: signer.discomId, reason: doc.reason, signed });
  const held = created ? record : ((await deps.disputes.get(discomId, disputeId)) ?? record);
  await markDisputed(deps, held, signed);
  return held;
}

/**
 * Raising a dispute contests the statement: it moves to DISPUTED (the statement lifecycle),
 * the history entry keeping the raiser's signed document as the signed write that moved it.
 * A statement already DISPUTED (another dispute) stays so; a superseded one is left alone.
 */
async function markDisputed(deps: Pick<DisputeDeps, 'statements' | 'sinks' | 'now'>, d: DisputeRecord, signed: SignedWrite): Promise<void> {
  const current = await deps.statements.summary(d.discomId, d.statementId);
  if (current === undefined || current.status === 'DISPUTED' || current.status === 'SUPERSEDED') return;
  await changeStatementStatus({ store: deps.statements, sinks: deps.sinks, now: deps.now }, d.discomId, d.statementId, 'DISPUTED', d.raisedBy.participantId, `dispute ${d.disputeId} raised`, signed);
}

/**
 * A dispute REJECTED leaves the figures standing: when no other dispute of the statement is
 * still open (RAISED, UNDER_REVIEW, or UPHELD and waiting for its run), the statement goes back
 * from DISPUTED to FINAL, signed by the desk's decision. An UPHELD one keeps it DISPUTED until
 * the next run supersedes it with the adjustment.
 */
async function settleRejected(deps: Pick<DisputeDeps, 'statements' | 'sinks' | 'disputes' | 'now'>, d: DisputeRecord, by: string, signed: SignedWrite): Promise<void> {
  const current = await deps.statements.summary(d.discomId, d.statementId);
  if (current?.status !== 'DISPUTED') return;
  const open = (await deps.disputes.ofDay(d.discomId, d.day)).filter((o) => o.statementId === d.statementId && o.disputeId !== d.disputeId && ['RAISED', 'UNDER_REVIEW', 'UPHELD'].includes(o.status));
  if (open.length > 0) return;
  await changeStatementStatus({ store: deps.statements, sinks: deps.sinks, now: deps.now }, d.discomId, d.statementId, 'FINAL', by, `dispute ${d.disputeId} rejected`, signed);
}

/** Who may see a dispute: the statement DISCOM's desk, and the raiser (a peer DISCOM's raiser is its PEER_DISCOM participant of the tenant). */
export async function readDispute(deps: Pick<DisputeDeps, 'disputes'>, who: { discomId: string; participantId: string; role: string }, discomId: string, id: string) {
  const record = await deps.disputes.get(discomId, id);
  const visible = record !== undefined && ((who.discomId === discomId && who.role === 'DISCOM') || (who.discomId === record.raisedBy.discomId && who.participantId === record.raisedBy.participantId));
  if (!visible) throw notFound(discomId, id);
  return { record, history: await deps.disputes.history(discomId, id) };
}

/**
 * A signed decision of the desk: UNDER_REVIEW, then UPHELD (whole, or in part: `decided`
 * names the figure upheld for each disputed line, domain/dispute-decision.ts) or REJECTED.
 * Asking for the status it already has answers as is.
 */
export async function decideDispute(
  deps: Pick<DisputeDeps, 'disputes' | 'statements' | 'sinks' | 'now'>, signer: Signer, discomId: string, id: string, to: DecidableStatus, reason: string | null, signed: SignedWrite,
  decided?: readonly DecidedFigure[],
): Promise<DisputeRecord> {
  const current = await deps.disputes.get(discomId, id);
  if (current === undefined) throw notFound(discomId, id);
  checkDecisionStanding(signer, discomId);
  if (decided !== undefined && to !== 'UPHELD') throw new SettlementError('IES_ERR_DISPUTE_INVALID', `"decided" figures go with UPHELD only, not ${to}`);
  if (current.status === to) {
    // A retry: answered once what was committed is on disputes.v1 (a relay that failed left it queued).
    await deps.disputes.relay(discomId);
    return current;
  }
  const status = transitionDispute(id, current.status, to);
  let next: DisputeRecord = { ...current, status };
  if (decided !== undefined) {
    const stored = await deps.statements.get(discomId, current.statementId);
    if (stored === undefined) throw notFound(discomId, id);
    const matched = matchLines(current.document, JSON.parse(statementJsonOfJws(stored.jws)) as StatementContent);
    next = { ...next, adjustments: decidedAdjustments(discomId, matched, decided), decided };
  }
  if (!(await deps.disputes.move(current.status, next, { status, at: deps.now(), by: signer.participantId, byDiscomId: signer.discomId, reason, signed }))) {
    throw new IesError('IES_ERR_DEPENDENCY_UNAVAILABLE', `dispute ${id} changed while it was moved to ${to}; retry`, { details: { retryAfterSeconds: 1 } });
  }
  if (status === 'REJECTED') await settleRejected(deps, next, signer.participantId, signed);
  return next;
}
