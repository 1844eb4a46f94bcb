/**
 * Revisions: when a statement is rebuilt, whether it changed, which version it becomes and
 * what it revises, and what a revision changed for each counterparty.
 */
import { canonicalJson } from '@ies/crypto';
import type { BuiltStatement, StatementContent } from '@ies/verify';
import { compareText } from './statement-order.js';

/**
 * Version and `revises` of a rebuild after `previous`. A complete statement is revised
 * (version n+1, `revises` naming it); an incomplete one (a DRAFT) is rebuilt in place: same
 * version, same `revises`, since it was never issued.
 */
export function nextRevision(previous: BuiltStatement | undefined): Pick<StatementContent, 'version' | 'revises'> {
  if (previous === undefined) return { version: 0, revises: null };
  const p = previous.content;
  return p.complete ? { version: p.version + 1, revises: { id: p.id, sha256: previous.sha256 } } : { version: p.version, revises: p.revises };
}

/** True when no figure differs: then the previous statement stands and no revision is issued. */
export function sameFigures(a: StatementContent, b: StatementContent): boolean {
  return figuresOf(a) === figuresOf(b);
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
