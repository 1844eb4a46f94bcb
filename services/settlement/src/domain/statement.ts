/**
 * Settlement statements: one per DISCOM per IST settlement day (P2P, DR and adjustment
 * lines) or per DR event (that event's lines only).
 *
 * Every line is a transfer of a non-negative amount of paise from a payer to a payee, and
 * the statement's DISCOM is one of the two. P2P money follows the existing billing flows:
 * the buyer pays its DISCOM, the buyer's DISCOM pays the seller's DISCOM (inter-DISCOM) and
 * the seller's DISCOM pays the seller; each DISCOM charges its own customer its own
 * wheeling, transaction charge and shortfall per its policy pack.
 *
 * What sums to zero (checkZeroSum):
 *  1. every line is balanced: what the payer pays, the payee receives, so the balances of
 *     all parties named in the statement sum to 0, and the DISCOM's own balance equals
 *     its total net position;
 *  2. the DISCOM's P2P clearing account balances: per trade interval, the P2P energy it
 *     receives (from its buyer, or from the buyer's DISCOM) equals what it pays on (to its
 *     seller, or to the seller's DISCOM); P2P energy is never DISCOM revenue;
 *  3. across two DISCOMs (checkInterDiscomAgreement), each one's position towards the
 *     other is the exact negative of the other's, line for line.
 *
 * Amounts: amount = quantityWh × ratePaisePerKwh / 1000, half to even (@ies/units), per
 * line. Lines with zero quantity, and charge lines at a zero rate, are left out; shortfall
 * lines are kept when waived (rate 0) because they record the deviation.
 *
 * Recomputing from the same inputs yields byte-identical canonical JSON (RFC 8785) and
 * hash: lines, positions and evidence are sorted, and nothing depends on input order.
 * The lifecycle status (statement-lifecycle.ts) is kept outside the hashed content, so
 * finalising a statement does not change what was signed.
 */
import { createHash } from 'node:crypto';
import { canonicalJson } from '@ies/crypto';
import { divideHalfEven } from '@ies/units';
import { SettlementError, type Problem } from './codes.js';
import { mergeEvidence, type CheckpointRef } from './evidence.js';
import type { FinalAllocation, FinalInterval } from './allocation.js';
import { policyReference, type PolicyPack, type ShortfallTreatment } from './policy-pack.js';
import { istDayEnd, istDayStart } from './time.js';
import type { NormalisedTrade, TradeInterval, TradeRecord } from './trade.js';

export const STATEMENT_SCHEMA = 'ies.settlement.statement/v1';

export const LINE_KINDS = ['P2P_ENERGY', 'SELLER_SHORTFALL', 'BUYER_SHORTFALL', 'WHEELING', 'TRANSACTION_CHARGE', 'DR_INCENTIVE', 'DR_PENALTY', 'ADJUSTMENT'] as const;
export type LineKind = (typeof LINE_KINDS)[number];
const METERED_KINDS = new Set<LineKind>(['P2P_ENERGY', 'SELLER_SHORTFALL', 'BUYER_SHORTFALL', 'WHEELING', 'TRANSACTION_CHARGE']);

export type StatementScope = { readonly kind: 'DAY'; readonly day: string } | { readonly kind: 'DR_EVENT'; readonly eventId: string };

/** Party names on lines: "meter:<id>", "discom:<id>", "aggregator:<id>". */
export const party = {
  meter: (id: string) => `meter:${id}`,
  discom: (id: string) => `discom:${id}`,
  aggregator: (id: string) => `aggregator:${id}`,
};

export interface StatementLine {
  readonly kind: LineKind;
  /** Trade id, DR event id or adjustment reference. */
  readonly reference: string;
  readonly intervalStartMs: number | null;
  readonly intervalEndMs: number | null;
  readonly meterId: string | null;
  readonly payer: string;
  readonly payee: string;
  /** Whichever of payer and payee is not the statement's DISCOM. */
  readonly counterparty: string;
  readonly quantityWh: number | null;
  readonly ratePaisePerKwh: number | null;
  readonly amountPaise: number;
  readonly note: string | null;
}

export interface NetPosition {
  readonly counterparty: string;
  /** Paid by the counterparty to the DISCOM. */
  readonly receivablePaise: number;
  /** Paid by the DISCOM to the counterparty. */
  readonly payablePaise: number;
  readonly netPaise: number;
}

export interface StatementContent {
  readonly schema: typeof STATEMENT_SCHEMA;
  readonly id: string;
  readonly discomId: string;
  readonly scope: StatementScope;
  /** 0 for R0, 1 for R1, … */
  readonly version: number;
  readonly revises: { readonly id: string; readonly sha256: string } | null;
  readonly policy: { readonly policyId: string; readonly version: number; readonly sha256: string };
  /** False while a trade awaits its other side or a read is missing: the statement stays DRAFT. */
  readonly complete: boolean;
  readonly lines: readonly StatementLine[];
  readonly netPositions: readonly NetPosition[];
  readonly interDiscomPositions: readonly NetPosition[];
  readonly totals: { readonly receivablePaise: number; readonly payablePaise: number; readonly netPaise: number };
  readonly excluded: readonly { readonly reference: string; readonly reason: string }[];
  readonly pending: readonly { readonly reference: string; readonly reason: string }[];
  /** Checkpoints covering every read behind the figures. */
  readonly evidence: readonly CheckpointRef[];
}

export interface BuiltStatement {
  readonly content: StatementContent;
  /** RFC 8785 canonical JSON of `content`. */
  readonly json: string;
  readonly bytes: Uint8Array;
  /** SHA-256 of `bytes`, hex. */
  readonly sha256: string;
}

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
}

export function statementId(discomId: string, scope: StatementScope, version: number): string {
  return scope.kind === 'DAY' ? `${discomId}:${scope.day}:R${version}` : `${discomId}:dr:${scope.eventId}:R${version}`;
}

/**
 * quantity × rate / 1000 in paise, half to even: the one rounding rule (@ies/units
 * divideHalfEven). While the product is a safe integer the same rule runs in doubles,
 * which is exact there and ~20× faster than bigint; a test cross-checks the two.
 */
export function lineAmount(quantityWh: number, ratePaisePerKwh: number): number {
  const product = quantityWh * ratePaisePerKwh;
  if (!Number.isSafeInteger(product) || product < 0) return Number(divideHalfEven(BigInt(quantityWh) * BigInt(ratePaisePerKwh), 1000n));
  let q = Math.floor(product / 1000);
  let r = product - q * 1000;
  // The double quotient can be one off within an ulp of an integer: correct from the remainder.
  if (r < 0) {
    q -= 1;
    r += 1000;
  } else if (r >= 1000) {
    q += 1;
    r -= 1000;
  }
  return r > 500 || (r === 500 && q % 2 === 1) ? q + 1 : q;
}

export function buildStatement(inputs: StatementInputs, policy: PolicyPack): BuiltStatement {
  const self = party.discom(inputs.discomId);
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
  const add: AddLine = (kind, reference, intervalStartMs, intervalEndMs, meterId, payer, payee, quantityWh, ratePaisePerKwh, amountPaise, note) => {
    // One object of one shape per line: statements run to hundreds of thousands of lines.
    lines.push({ kind, reference, intervalStartMs, intervalEndMs, meterId, payer, payee, counterparty: payer === self ? payee : payer, quantityWh, ratePaisePerKwh, amountPaise, note });
  };

  if (inputs.scope.kind === 'DAY') {
    // An interval belongs to the IST day its start falls in.
    const dayStart = istDayStart(inputs.scope.day) ?? NaN;
    const dayEnd = istDayEnd(inputs.scope.day) ?? NaN;
    const finals = new Map<string, FinalAllocation>();
    for (const f of inputs.finals ?? []) {
      if (finals.has(f.tradeId)) invalid('$.finals', `two final allocations for ${f.tradeId}`);
      finals.set(f.tradeId, f);
    }
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
      for (const [iv, i] of inDay) tradeLines(inputs, policy, t, iv, final.intervals[i]!, add, invalid);
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
  const replacesDraft = previous !== undefined && !previous.complete;
  const version = previous === undefined ? 0 : replacesDraft ? previous.version : previous.version + 1;
  const content: StatementContent = {
    schema: STATEMENT_SCHEMA,
    id: statementId(inputs.discomId, inputs.scope, version),
    discomId: inputs.discomId,
    scope: inputs.scope.kind === 'DAY' ? { kind: 'DAY', day: inputs.scope.day } : { kind: 'DR_EVENT', eventId: inputs.scope.eventId },
    version,
    revises: previous === undefined ? null : replacesDraft ? previous.revises : { id: previous.id, sha256: inputs.previous!.sha256 },
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
  if (previous !== undefined && figuresOf(previous) === figuresOf(content)) return inputs.previous!;
  return seal(content);
}

/** Canonical bytes and hash of a statement's content. */
export function seal(content: StatementContent): BuiltStatement {
  const json = canonicalJson(content);
  const bytes = new TextEncoder().encode(json);
  return { content, json, bytes, sha256: createHash('sha256').update(bytes).digest('hex') };
}

function sameGrid(t: NormalisedTrade, f: FinalAllocation): boolean {
  return f.intervals.length === t.intervals.length && f.intervals.every((fi, i) => {
    const ti = t.intervals[i]!;
    return fi.startMs === ti.startMs && fi.endMs === ti.endMs && fi.contractedWh === ti.quantityWh;
  });
}

type AddLine = (
  kind: LineKind, reference: string, intervalStartMs: number | null, intervalEndMs: number | null, meterId: string | null,
  payer: string, payee: string, quantityWh: number | null, ratePaisePerKwh: number | null, amountPaise: number, note: string | null,
) => void;

function tradeLines(inputs: StatementInputs, policy: PolicyPack, t: NormalisedTrade, iv: TradeInterval, f: FinalInterval, add: AddLine, invalid: (path: string, message: string) => void): void {
  const self = party.discom(inputs.discomId);
  const isSeller = t.seller.discomId === inputs.discomId;
  const isBuyer = t.buyer.discomId === inputs.discomId;
  const buyer = party.meter(t.buyer.meterId);
  const seller = party.meter(t.seller.meterId);
  const metered = (kind: LineKind, meterId: string, payer: string, payee: string, quantityWh: number, ratePaisePerKwh: number) =>
    add(kind, t.tradeId, iv.startMs, iv.endMs, meterId, payer, payee, quantityWh, ratePaisePerKwh, lineAmount(quantityWh, ratePaisePerKwh), null);
  const charge = (kind: LineKind, meterId: string, rate: number) => {
    if (rate > 0) metered(kind, meterId, party.meter(meterId), self, f.finalWh, rate);
  };
  const shortfall = (kind: LineKind, meterId: string, quantityWh: number, treatment: ShortfallTreatment) => {
    if (quantityWh <= 0) return;
    const rate = shortfallRate(treatment, inputs.referenceRatePaisePerKwh);
    if (rate === undefined) return invalid('$.referenceRatePaisePerKwh', `${policy.policyId} prices ${kind} at a reference rate; give referenceRatePaisePerKwh`);
    metered(kind, meterId, party.meter(meterId), self, quantityWh, rate);
  };
  const price = iv.pricePaisePerKwh;
  if (f.finalWh > 0) {
    if (isBuyer) {
      metered('P2P_ENERGY', t.buyer.meterId, buyer, self, f.finalWh, price);
      metered('P2P_ENERGY', t.seller.meterId, self, isSeller ? seller : party.discom(t.seller.discomId), f.finalWh, price);
      charge('WHEELING', t.buyer.meterId, policy.p2p.wheeling.buyerPaisePerKwh);
      charge('TRANSACTION_CHARGE', t.buyer.meterId, policy.p2p.transactionCharge.buyerPaisePerKwh);
    }
    if (isSeller) {
      if (!isBuyer) {
        metered('P2P_ENERGY', t.buyer.meterId, party.discom(t.buyer.discomId), self, f.finalWh, price);
        metered('P2P_ENERGY', t.seller.meterId, self, seller, f.finalWh, price);
      }
      charge('WHEELING', t.seller.meterId, policy.p2p.wheeling.sellerPaisePerKwh);
      charge('TRANSACTION_CHARGE', t.seller.meterId, policy.p2p.transactionCharge.sellerPaisePerKwh);
    }
  }
  if (isSeller) shortfall('SELLER_SHORTFALL', t.seller.meterId, f.sellerShortfallWh, policy.p2p.sellerShortfall);
  if (isBuyer) shortfall('BUYER_SHORTFALL', t.buyer.meterId, f.buyerShortfallWh, policy.p2p.buyerShortfall);
}

function shortfallRate(treatment: ShortfallTreatment, reference: number | undefined): number | undefined {
  switch (treatment.treatment) {
    case 'WAIVED':
      return 0;
    case 'FIXED_RATE':
      return treatment.ratePaisePerKwh;
    case 'REFERENCE_RATE':
      return reference === undefined ? undefined : Number(divideHalfEven(BigInt(reference) * BigInt(treatment.multiplierPercent), 100n));
  }
}

const KIND_RANK = new Map(LINE_KINDS.map((k, i) => [k, i]));
const compareText = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
const compareNullable = (a: number | null, b: number | null) => (a ?? -1) - (b ?? -1);

/** A total order on lines, so sorting makes the output independent of input order. */
function compareLines(a: StatementLine, b: StatementLine): number {
  return (
    compareText(a.reference, b.reference) ||
    compareNullable(a.intervalStartMs, b.intervalStartMs) ||
    KIND_RANK.get(a.kind)! - KIND_RANK.get(b.kind)! ||
    compareText(a.meterId ?? '', b.meterId ?? '') ||
    compareText(a.payer, b.payer) ||
    compareText(a.payee, b.payee) ||
    compareNullable(a.quantityWh, b.quantityWh) ||
    compareNullable(a.ratePaisePerKwh, b.ratePaisePerKwh) ||
    a.amountPaise - b.amountPaise ||
    compareText(a.note ?? '', b.note ?? '')
  );
}

function positions(lines: readonly StatementLine[], self: string): NetPosition[] {
  const map = new Map<string, { receivable: number; payable: number }>();
  for (const l of lines) {
    const p = map.get(l.counterparty) ?? { receivable: 0, payable: 0 };
    if (l.payee === self) p.receivable += l.amountPaise;
    else p.payable += l.amountPaise;
    map.set(l.counterparty, p);
  }
  return [...map.entries()]
    .sort(([a], [b]) => compareText(a, b))
    .map(([counterparty, p]) => ({ counterparty, receivablePaise: p.receivable, payablePaise: p.payable, netPaise: p.receivable - p.payable }));
}

/** What a revision changed: net position per counterparty, after minus before (non-zero only). */
export function diffStatements(before: StatementContent, after: StatementContent): { counterparty: string; netPaiseDelta: number }[] {
  const net = new Map<string, number>();
  for (const p of before.netPositions) net.set(p.counterparty, -p.netPaise);
  for (const p of after.netPositions) net.set(p.counterparty, (net.get(p.counterparty) ?? 0) + p.netPaise);
  return [...net.entries()].filter(([, d]) => d !== 0).sort(([a], [b]) => compareText(a, b)).map(([counterparty, netPaiseDelta]) => ({ counterparty, netPaiseDelta }));
}

/** The content without what changes on every revision: used to decide whether a revision is needed. */
function figuresOf(c: StatementContent): string {
  const { id: _id, version: _version, revises: _revises, evidence: _evidence, ...figures } = c;
  return canonicalJson(figures);
}

export interface BalanceCheck {
  readonly ok: boolean;
  readonly problems: readonly string[];
}

/** The zero-sum rules 1 and 2 of the header, plus the stated positions and totals. */
export function checkZeroSum(c: StatementContent): BalanceCheck {
  const self = party.discom(c.discomId);
  const problems: string[] = [];
  const balances = new Map<string, number>();
  const clearing = new Map<string, number>();
  c.lines.forEach((l, i) => {
    const at = `line ${i + 1} (${l.kind} ${l.reference})`;
    if (!Number.isSafeInteger(l.amountPaise) || l.amountPaise < 0) problems.push(`${at}: amount ${l.amountPaise} is not a non-negative integer`);
    if (l.payer === l.payee) problems.push(`${at}: payer and payee are both ${l.payer}`);
    if (l.payer !== self && l.payee !== self) problems.push(`${at}: ${c.discomId} is neither payer nor payee`);
    if (l.counterparty !== (l.payer === self ? l.payee : l.payer)) problems.push(`${at}: counterparty ${l.counterparty} is not the other party`);
    if (METERED_KINDS.has(l.kind)) {
      if (l.quantityWh === null || l.ratePaisePerKwh === null) problems.push(`${at}: quantity and rate are required`);
      else if (lineAmount(l.quantityWh, l.ratePaisePerKwh) !== l.amountPaise) problems.push(`${at}: ${l.quantityWh} Wh × ${l.ratePaisePerKwh} paise/kWh is ${lineAmount(l.quantityWh, l.ratePaisePerKwh)} paise, not ${l.amountPaise}`);
    }
    balances.set(l.payer, (balances.get(l.payer) ?? 0) - l.amountPaise);
    balances.set(l.payee, (balances.get(l.payee) ?? 0) + l.amountPaise);
    if (l.kind === 'P2P_ENERGY') {
      const key = `${l.reference} @ ${l.intervalStartMs}`;
      clearing.set(key, (clearing.get(key) ?? 0) + (l.payee === self ? l.amountPaise : -l.amountPaise));
    }
  });
  let sum = 0;
  for (const b of balances.values()) sum += b;
  if (sum !== 0) problems.push(`party balances sum to ${sum} paise, not 0`);
  const own = balances.get(self) ?? 0;
  if (own !== c.totals.netPaise) problems.push(`${c.discomId}'s balance from the lines is ${own} paise, the totals say ${c.totals.netPaise}`);
  for (const [key, net] of clearing) if (net !== 0) problems.push(`P2P clearing for ${key} is off by ${net} paise`);
  const recomputed = positions(c.lines, self);
  if (!samePositions(recomputed, c.netPositions)) problems.push('net positions do not match the lines');
  if (!samePositions(recomputed.filter((p) => p.counterparty.startsWith('discom:')), c.interDiscomPositions)) problems.push('inter-DISCOM positions do not match the lines');
  const receivable = recomputed.reduce((s, p) => s + p.receivablePaise, 0);
  const payable = recomputed.reduce((s, p) => s + p.payablePaise, 0);
  if (receivable !== c.totals.receivablePaise || payable !== c.totals.payablePaise) problems.push('totals do not match the net positions');
  return { ok: problems.length === 0, problems };
}

function samePositions(a: readonly NetPosition[], b: readonly NetPosition[]): boolean {
  return a.length === b.length && a.every((p, i) => {
    const q = b[i]!;
    return p.counterparty === q.counterparty && p.receivablePaise === q.receivablePaise && p.payablePaise === q.payablePaise && p.netPaise === q.netPaise;
  });
}

/**
 * Rule 3: two DISCOMs' statements of one scope agree on what flows between them: every
 * inter-DISCOM line of one has the mirror line (same trade, interval, quantity, rate and
 * amount, payer and payee the same parties) in the other, and their net positions are
 * exact opposites.
 */
export function checkInterDiscomAgreement(a: StatementContent, b: StatementContent): BalanceCheck {
  const problems: string[] = [];
  if (canonicalJson(a.scope) !== canonicalJson(b.scope)) problems.push(`${a.id} and ${b.id} cover different scopes`);
  const aSelf = party.discom(a.discomId);
  const bSelf = party.discom(b.discomId);
  const key = (l: StatementLine) => canonicalJson([l.kind, l.reference, l.intervalStartMs, l.intervalEndMs, l.quantityWh, l.ratePaisePerKwh, l.amountPaise, l.payer, l.payee]);
  const mutual = (c: StatementContent, other: string) => c.lines.filter((l) => l.counterparty === other).map(key).sort();
  const fromA = mutual(a, bSelf);
  const fromB = mutual(b, aSelf);
  if (canonicalJson(fromA) !== canonicalJson(fromB)) {
    const onlyA = fromA.filter((k) => !fromB.includes(k));
    const onlyB = fromB.filter((k) => !fromA.includes(k));
    problems.push(`${onlyA.length} line(s) only in ${a.id}, ${onlyB.length} only in ${b.id}${onlyA[0] ? `, e.g. ${onlyA[0]}` : onlyB[0] ? `, e.g. ${onlyB[0]}` : ''}`);
  }
  const netA = a.netPositions.find((p) => p.counterparty === bSelf)?.netPaise ?? 0;
  const netB = b.netPositions.find((p) => p.counterparty === aSelf)?.netPaise ?? 0;
  if (netA !== -netB) problems.push(`${a.discomId} nets ${netA} paise against ${b.discomId}, which nets ${netB} against it`);
  return { ok: problems.length === 0, problems };
}
