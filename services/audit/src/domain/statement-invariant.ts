import { createHash } from 'node:crypto';
import type { JWK } from 'jose';
import { canonicalJson } from '@ies/crypto';
import { statementJsonOfJws, verifyStatementJws, type StatementContent } from '@ies/verify';
import type { InvariantFailure, InvariantResult } from '../report.js';

/** A statement as the auditor holds it: its id and the compact JWS whose payload is its canonical JSON. */
export interface StatementDocument {
  readonly statementId: string;
  readonly jws: string;
}

/**
 * SHA-256 (hex) of the statement's canonical JSON without `evidence`. The evidence names the
 * checkpoints covering the reads, and checkpoint roots depend on the order batches reached
 * the log, which faults and retries change: two correct runs over one workload sign
 * different evidence, so only the rest of the content can be compared across runs.
 */
export function contentShaWithoutEvidence(content: StatementContent): string {
  const { evidence: _evidence, ...rest } = content;
  return createHash('sha256').update(canonicalJson(rest)).digest('hex');
}

/** statement id → contentShaWithoutEvidence, the reference a fault-free run records. */
export function referenceOf(statements: readonly (StatementDocument | StatementContent)[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const s of statements) {
    const content = 'jws' in s ? (JSON.parse(statementJsonOfJws(s.jws)) as StatementContent) : s;
    out[content.id] = contentShaWithoutEvidence(content);
  }
  return out;
}

export interface StatementInput {
  readonly statements: readonly StatementDocument[];
  /** The tenant's settlement keys (public JWKS). */
  readonly jwks: readonly JWK[] | undefined;
  readonly reference: Readonly<Record<string, string>> | undefined;
  /** Whether an evidence checkpoint is a tree the log rebuilt from receipts.v1 really had; undefined for another log. */
  readonly evidenceHeld: (ref: { origin: string; size: number; rootHash: string }) => boolean | undefined;
}

/**
 * Invariant 5: each statement of the day verifies with the DISCOM's settlement key, its own
 * log's evidence checkpoints are in the rebuilt log, and its content without evidence has the
 * reference hash; with a reference, a statement missing from either side fails too.
 */
export async function checkStatements(input: StatementInput): Promise<InvariantResult> {
  const failures: InvariantFailure[] = [];
  const seen = new Set<string>();
  for (const s of input.statements) {
    const name = `statement ${s.statementId}`;
    seen.add(s.statementId);
    if (input.jwks === undefined) {
      failures.push({ record: name, problem: 'no settlement keys of the DISCOM: the signature cannot be checked' });
      continue;
    }
    const checked = await verifyStatementJws(s.jws, input.jwks);
    if (!checked.ok) {
      failures.push({ record: name, problem: `${checked.code}: ${checked.reason}` });
      continue;
    }
    if (checked.content.id !== s.statementId) failures.push({ record: name, problem: `the signed document is statement ${checked.content.id}` });
    for (const ref of checked.content.evidence) {
      if (input.evidenceHeld(ref) === false) failures.push({ record: name, problem: `evidence checkpoint ${ref.origin} size ${ref.size} root ${ref.rootHash} is not in the log rebuilt from receipts.v1` });
    }
    const want = input.reference?.[s.statementId];
    const got = contentShaWithoutEvidence(checked.content);
    if (input.reference !== undefined && want === undefined) failures.push({ record: name, problem: 'not in the reference run' });
    else if (want !== undefined && want !== got) failures.push({ record: name, problem: `content without evidence hashes to ${got}, the reference run to ${want}` });
  }
  for (const id of Object.keys(input.reference ?? {})) if (!seen.has(id)) failures.push({ record: `statement ${id}`, problem: 'in the reference run but not issued in this one' });
  return { id: 'I5', title: 'statements verify, evidence in the log, content equals the reference', checked: input.statements.length, failures };
}
