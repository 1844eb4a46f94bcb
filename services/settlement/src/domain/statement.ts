/**
 * Building a settlement statement from its inputs: the P2P lines of the DISCOM's trades in
 * the scope (statement-charges.ts), DR lines and adjustments; sorted (statement-order.ts),
 * positioned and checked to sum to zero (statement-balances.ts), numbered as a revision of
 * the previous one (statement-revisions.ts) and sealed (statement-content.ts).
 */
import { canonicalJson } from '@ies/crypto';
import { SettlementError, type Problem } from './codes.js';
import { mergeEvidence } from './evidence.js';
import { type CheckpointRef } from '@ies/verify';
import type { FinalAllocation } from './final-allocation.js';
import { policyReference, type PolicyPack } from './policy-pack.js';
import { checkZeroSum, positions } from '@ies/verify';
import { statementParties, tradeLines, type AddLine, type ChargeContext } from './statement-charges.js';
import { STATEMENT_SCHEMA, party, seal, statementId, type BuiltStatement, type StatementContent, type StatementLine, type StatementRun, type StatementScope } from '@ies/verify';
import { missingDataTreatment, type MissingDataPolicy } from './missing-data-policy.js';
import { compareLines, compareText } from './statement-order.js';
import { nextRevision, sameFigures } from './statement-revisions.js';
import { istDayEnd, istDayStart } from '@ies/units';
import type { NormalisedTrade, TradeRecord } from './trade.js';

export interface DrLineInput {
  readonly eventId: string;
  /** IST day the event's delivery falls on. */
  readonly day: string;
  readonly aggregatorId: string;
  readonly kind: 'DR_INCENTIVE' | 'DR_PENALTY';
  readonly amountPaise: number;
  readonly meterId?: string | null;
  readonly quantityWh?: number | null;
  readonly ratePaisePerKwh?: number | null;
}

export interface AdjustmentInput {
  readonly reference: string;
  /** A party name (see `party`). */
  readonly counterparty: string;
  /** Signed: positive when the counterparty pays the DISCOM, negative when the DISCOM pays. */
  readonly amountPaise: number;
  readonly reason: string;
}

export interface StatementInputs {
  readonly discomId: string;
  readonly scope: StatementScope;
  readonly trades?: readonly TradeRecord[];
  readonly finals?: readonly FinalAllocation[];
  /** A calendar run under ESTIMATE: the trades' allocations with missing reads estimated (run-estimates.ts). */
  readonly estimates?: readonly FinalAllocation[];
  readonly drLines?: readonly DrLineInput[];
  readonly adjustments?: readonly AdjustmentInput[];
  /** Needed when a shortfall treatment is REFERENCE_RATE. */
  readonly referenceRatePaisePerKwh?: number;
  /** Checkpoints of reads used outside the P2P finals (e.g. DR performance). */
  readonly evidence?: readonly CheckpointRef[];
  /**
   * Inputs known to be missing outside the P2P trades (e.g. a DR event of the scope not yet
   * measured): listed in `pending`, so the statement stays incomplete (DRAFT).
   */
  readonly pending?: readonly { readonly reference: string; readonly reason: string }[];
  /**
   * The latest statement of this DISCOM and scope. When no figure changed it is returned as
   * is. A complete one is revised (version n+1, `revises` naming it); an incomplete one (a
   * DRAFT) is rebuilt in place: same version, same `revises`, since it was never issued.
   */
  readonly previous?: BuiltStatement;
  /**
   * A calendar run (settlement-calendar.ts): the statement is `<discom>:<day>:<run>`, always
   * a new issued version after `previous` (never rebuilt in place, never skipped as
   * unchanged), and trades with reads missing at the cut-off get the run's missing-data
   * policy (missing-data-policy.ts). The finals given must be those known at the cut-off.
   */
  readonly run?: StatementRun;
}

export function buildStatement(inputs: StatementInputs, policy: PolicyPack): BuiltStatement {
  const parties = statementParties(inputs.discomId);
  const self = parties.self;
  const problems: Problem[] = [];
  const invalid = (path: string, message: string) => problems.push({ code: 'IES_ERR_STATEMENT_INPUT_INVALID', path, message });
  if (policy.discomId !== inputs.discomId) invalid('$.policy', `policy pack ${policy.policyId} is ${policy.discomId}'s, not ${inputs.discomId}'s`);
  if (inputs.scope.kind === 'DAY' && istDayStart(inputs.scope.day) === undefined) invalid('$.scope.day', `${inputs.scope.day} is not a YYYY-MM-DD day`);
  const previous = inputs.previous?.content;
  if (previous !== undefined && (previous.discomId !== inputs.discomId || canonicalJson(previous.scope) !== canonicalJson(inputs.scope))) {
    throw new SettlementError('IES_ERR_STATEMENT_REVISION_INVALID', `${previous.id} is not a statement of ${statementId(inputs.discomId, inputs.scope, 0).replace(/:R0$/, '')}`);
  }

  const lines: StatementLine[] = [];
  const excluded: { reference: string; reason: string }[] = [];
  const pending: { reference: string; reason: string }[] = (inputs.pending ?? []).map((p) => ({ reference: p.reference, reason: p.reason }));
  const evidence: (readonly CheckpointRef[])[] = [inputs.evidence ?? []];
  const add: AddLine = (kind, reference, intervalStartMs, intervalEndMs, meterId, payer, payee, quantityWh, ratePaisePerKwh, amountPaise, note, missingData) => {
    // One object of one shape per line: statements run to hundreds of thousands of lines.
    // (A line a missing-data policy touched carries its name: those are few.)
    const line: StatementLine = { kind, reference, intervalStartMs, intervalEndMs, meterId, payer, payee, counterparty: payer === self ? payee : payer, quantityWh, ratePaisePerKwh, amountPaise, note };
    lines.push(missingData === undefined ? line : { ...line, missingData });
  };
  const run = inputs.run;
  if (run !== undefined && inputs.scope.kind !== 'DAY') invalid('$.run', 'calendar runs settle IST days, not DR events');
  const charges: ChargeContext = { discomId: inputs.discomId, parties, policy, referenceRatePaisePerKwh: inputs.referenceRatePaisePerKwh, add, invalid };

  if (inputs.scope.kind === 'DAY') {
    // An interval belongs to the IST day its start falls in.
    const dayStart = istDayStart(inputs.scope.day) ?? NaN;
    const dayEnd = istDayEnd(inputs.scope.day) ?? NaN;
    const finals = new Map<string, FinalAllocation>();
    for (const f of inputs.finals ?? []) {
      if (finals.has(f.tradeId)) invalid('$.finals', `two final allocations for ${f.tradeId}`);
      finals.set(f.tradeId, f);
    }
    const estimates = new Map((inputs.estimates ?? []).map((e) => [e.tradeId, e]));
    const tradeIds = new Set<string>();
    for (const record of inputs.trades ?? []) {
      const t = record.trade;
      tradeIds.add(t.tradeId);
      if (t.seller.discomId !== inputs.discomId && t.buyer.discomId !== inputs.discomId) continue;
      const inDay = t.intervals.map((iv, i) => [iv, i] as const).filter(([iv]) => iv.startMs >= dayStart && iv.startMs < dayEnd);
      if (inDay.length === 0) continue;
      if (record.state === 'CANCELLED') {
        excluded.push({ reference: t.tradeId, reason: 'CANCELLED' });
        continue;
      }
      const final = finals.get(t.tradeId);
      if (run !== undefined) {
        if (final !== undefined && !sameGrid(t, final)) {
          invalid('$.finals', `final allocation of ${t.tradeId} is not on the trade's intervals and quantities`);
          continue;
        }
        const treatment = missingDataTreatment(run.missingData as MissingDataPolicy, t, final, estimates.get(t.tradeId));
        if (final !== undefined) evidence.push(final.evidence);
        if (treatment.kind === 'SETTLE') {
          for (const [iv, i] of inDay) tradeLines(charges, t, iv, treatment.final.intervals[i]!);
        } else if (treatment.kind === 'SETTLE_MARKED') {
          pending.push({ reference: t.tradeId, reason: treatment.pendingReason });
          for (const [iv, i] of inDay) tradeLines(charges, t, iv, treatment.intervals[i]!, treatment.policy);
        } else {
          pending.push({ reference: t.tradeId, reason: treatment.pendingReason });
          excluded.push({ reference: t.tradeId, reason: 'MISSING_DATA' });
        }
        continue;
      }
      if (final === undefined) {
        pending.push({ reference: t.tradeId, reason: 'AWAITING_ALLOCATION' });
        continue;
      }
      if (!sameGrid(t, final)) {
        invalid('$.finals', `final allocation of ${t.tradeId} is not on the trade's intervals and quantities`);
        continue;
      }
      if (final.status === 'INCOMPLETE') pending.push({ reference: t.tradeId, reason: 'READS_INCOMPLETE' });
      evidence.push(final.evidence);
      for (const [iv, i] of inDay) tradeLines(charges, t, iv, final.intervals[i]!);
    }
    for (const f of finals.keys()) if (!tradeIds.has(f)) invalid('$.finals', `final allocation for ${f}, a trade not in the inputs`);
  }

  for (const [i, d] of (inputs.drLines ?? []).entries()) {
    const inScope = inputs.scope.kind === 'DAY' ? d.day === inputs.scope.day : d.eventId === inputs.scope.eventId;
    if (!inScope) continue;
    if (!Number.isSafeInteger(d.amountPaise) || d.amountPaise < 0) invalid(`$.drLines[${i}].amountPaise`, `must be a non-negative integer, got ${d.amountPaise}`);
    const aggregator = party.aggregator(d.aggregatorId);
    const incentive = d.kind === 'DR_INCENTIVE';
    add(d.kind, d.eventId, null, null, d.meterId ?? null, incentive ? self : aggregator, incentive ? aggregator : self, d.quantityWh ?? null, d.ratePaisePerKwh ?? null, d.amountPaise, null);
  }
  for (const [i, a] of (inputs.adjustments ?? []).entries()) {
    if (!Number.isSafeInteger(a.amountPaise) || a.amountPaise === 0) invalid(`$.adjustments[${i}].amountPaise`, `must be a non-zero integer, got ${a.amountPaise}`);
    if (a.counterparty === self || !/^(meter|discom|aggregator):./.test(a.counterparty)) invalid(`$.adjustments[${i}].counterparty`, `${a.counterparty} is not another party`);
    const meterId = a.counterparty.startsWith('meter:') ? a.counterparty.slice(6) : null;
    const receivable = a.amountPaise > 0;
    add('ADJUSTMENT', a.reference, null, null, meterId, receivable ? a.counterparty : self, receivable ? self : a.counterparty, null, null, Math.abs(a.amountPaise), a.reason);
  }
  if (problems.length > 0) throw new SettlementError('IES_ERR_STATEMENT_INPUT_INVALID', `statement inputs of ${inputs.discomId}: ${problems.map((p) => `${p.path}: ${p.message}`).join('; ')}`, problems);

  lines.sort(compareLines);
  excluded.sort((a, b) => compareText(a.reference, b.reference));
  pending.sort((a, b) => compareText(a.reference, b.reference) || compareText(a.reason, b.reason));
  const netPositions = positions(lines, self);
  const totals = netPositions.reduce((t, p) => ({ receivablePaise: t.receivablePaise + p.receivablePaise, payablePaise: t.payablePaise + p.payablePaise, netPaise: t.netPaise + p.netPaise }), { receivablePaise: 0, payablePaise: 0, netPaise: 0 });
  const { version, revises } = run === undefined ? nextRevision(inputs.previous) : { version: inputs.previous === undefined ? 0 : inputs.previous.content.version + 1, revises: inputs.previous === undefined ? null : { id: inputs.previous.content.id, sha256: inputs.previous.sha256 } };
  const content: StatementContent = {
    schema: STATEMENT_SCHEMA,
    id: statementId(inputs.discomId, inputs.scope, version, run?.name),
    discomId: inputs.discomId,
    scope: inputs.scope.kind === 'DAY' ? { kind: 'DAY', day: inputs.scope.day } : { kind: 'DR_EVENT', eventId: inputs.scope.eventId },
    version,
    revises,
    ...(run === undefined ? {} : { run: { name: run.name, cutoffMs: run.cutoffMs, missingData: run.missingData } }),
    policy: policyReference(policy),
    complete: pending.length === 0,
    lines,
    netPositions,
    interDiscomPositions: netPositions.filter((p) => p.counterparty.startsWith('discom:')),
    totals,
    excluded,
    pending,
    evidence: mergeEvidence(...evidence),
  };
  const balance = checkZeroSum(content);
  if (!balance.ok) throw new SettlementError('IES_ERR_STATEMENT_NOT_BALANCED', `statement ${content.id} does not balance: ${balance.problems.join('; ')}`);
  if (run === undefined && previous !== undefined && sameFigures(previous, content)) return inputs.previous!;
  return seal(content);
}

function sameGrid(t: NormalisedTrade, f: FinalAllocation): boolean {
  return f.intervals.length === t.intervals.length && f.intervals.every((fi, i) => {
    const ti = t.intervals[i]!;
    return fi.startMs === ti.startMs && fi.endMs === ti.endMs && fi.contractedWh === ti.quantityWh;
  });
}
