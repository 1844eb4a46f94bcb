import { createHash } from 'node:crypto';
import type { Config } from '@ies/config';
import { canonicalJson, type JsonValue } from '@ies/crypto';
import type { AckLedgerEntry } from './ledger.js';

/** The signatures of `@ies/audit` the campaign is written against. */
export interface InvariantResult { id: string; title: string; checked: number; failures: { record: string; problem: string }[] }
export interface AuditReport { discomId: string; day: string; ok: boolean; invariants: InvariantResult[] }
export interface AuditOptions {
  config: Config;
  discomId: string;
  day: string;
  ackLedger?: readonly AckLedgerEntry[];
  referenceStatements?: Record<string, string>;
  /** The notary's verifier keys held out of band (as `GET /v1/log/key` served them). */
  notaryVerifierKeys?: readonly string[];
  /** Signed checkpoint notes seen during the run. */
  checkpoints?: readonly string[];
}
export interface AuditModule {
  audit(o: AuditOptions): Promise<AuditReport>;
  renderAuditTable(reports: readonly AuditReport[]): string;
  referenceOf?(statements: readonly unknown[]): Record<string, string>;
}

/**
 * The auditor is its own workspace (`@ies/audit`); the campaign loads it at run time so this
 * package builds before it exists, and says so plainly when it is missing.
 */
export async function loadAuditor(): Promise<AuditModule | string> {
  const name = '@ies/audit';
  try {
    return (await import(name)) as AuditModule;
  } catch (err) {
    return `the auditor (${name}) is not installed in this tree (${(err as Error).message.split('\n')[0]}); build it, then run the campaign again`;
  }
}

/**
 * Statement id → sha256 of its content without the evidence (the checkpoints a run happened
 * to see), through the auditor's own `referenceOf` when it has one.
 */
export function referenceStatements(auditor: AuditModule | string, contents: readonly Record<string, unknown>[]): Record<string, string> {
  if (typeof auditor !== 'string' && auditor.referenceOf) return auditor.referenceOf(contents);
  const out: Record<string, string> = {};
  for (const c of contents) {
    const { evidence: _evidence, ...rest } = c;
    out[String(c['id'] ?? c['statementId'])] = createHash('sha256').update(canonicalJson(rest as JsonValue)).digest('hex');
  }
  return out;
}
