/**
 * What sums to zero on a statement, and what two DISCOMs' statements must agree on.
 *
 * checkZeroSum:
 *  1. every line is balanced: what the payer pays, the payee receives, so the balances of
 *     all parties named in the statement sum to 0, and the DISCOM's own balance equals
 *     its total net position;
 *  2. the DISCOM's P2P clearing account balances: per trade interval, the P2P energy it
 *     receives (from its buyer, or from the buyer's DISCOM) equals what it pays on (to its
 *     seller, or to the seller's DISCOM); P2P energy is never DISCOM revenue;
 * checkInterDiscomAgreement:
 *  3. across two DISCOMs, each one's position towards the other is the exact negative of
 *     the other's, line for line.
 */
import { canonicalJson } from '@ies/crypto';
import { METERED_KINDS, lineAmount } from './line-amount.js';
import { party, type NetPosition, type StatementContent, type StatementLine } from './content.js';

/** Code-unit order (not locale), so every node and verifier sorts alike. */
const compareText = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/** Net position per counterparty from the lines, sorted by counterparty. */
export function positions(lines: readonly StatementLine[], self: string): NetPosition[] {
  const map = new Map<string, { receivable: number; payable: number }>();
  for (const l of lines) {
    let p = map.get(l.counterparty);
    if (p === undefined) map.set(l.counterparty, (p = { receivable: 0, payable: 0 }));
    if (l.payee === self) p.receivable += l.amountPaise;
    else p.payable += l.amountPaise;
  }
  return [...map.entries()]
    .sort(([a], [b]) => compareText(a, b))
    .map(([counterparty, p]) => ({ counterparty, receivablePaise: p.receivable, payablePaise: p.payable, netPaise: p.receivable - p.payable }));
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
    // Named only when a problem is found: statements run to hundreds of thousands of lines.
    const at = () => `line ${i + 1} (${l.kind} ${l.reference})`;
    if (!Number.isSafeInteger(l.amountPaise) || l.amountPaise < 0) problems.push(`${at()}: amount ${l.amountPaise} is not a non-negative integer`);
    if (l.payer === l.payee) problems.push(`${at()}: payer and payee are both ${l.payer}`);
    if (l.payer !== self && l.payee !== self) problems.push(`${at()}: ${c.discomId} is neither payer nor payee`);
    if (l.counterparty !== (l.payer === self ? l.payee : l.payer)) problems.push(`${at()}: counterparty ${l.counterparty} is not the other party`);
    if (METERED_KINDS.has(l.kind)) {
      if (l.quantityWh === null || l.ratePaisePerKwh === null) problems.push(`${at()}: quantity and rate are required`);
      else if (lineAmount(l.quantityWh, l.ratePaisePerKwh) !== l.amountPaise) problems.push(`${at()}: ${l.quantityWh} Wh × ${l.ratePaisePerKwh} paise/kWh is ${lineAmount(l.quantityWh, l.ratePaisePerKwh)} paise, not ${l.amountPaise}`);
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
