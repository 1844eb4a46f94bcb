/**
 * A dispute: a signed document by a party with standing naming a calendar run's statement,
 * the lines it contests with the figures it claims, and the evidence (ies.settlement.dispute/v1).
 *
 *   { "schema": "ies.settlement.dispute/v1", "statementId": "BRPL-DL:2026-04-26:R1",
 *     "type": "READ_VALUE" | "NO_READ" | "CHARGE",
 *     "lines": [{ "kind", "reference", "intervalStartMs", "meterId", "payer", "payee",
 *                 "claimed": { "quantityWh"?, "amountPaise" } }],
 *     "evidence": [ { "kind": "READ_PROOF", "proof": <GET /v1/reads/proof> }
 *                 | { "kind": "TLOG_PROOF", "text": <GET /v1/reads/tlog-proof> }
 *                 | { "kind": "RECEIPT", "receipt": <GET /v1/batches/{id}/receipt> }
 *                 | { "kind": "NO_READ", "meterId", "blockStart", "channel" } ],
 *     "reason": "…" }
 *
 * This file checks the document's shape and matches its lines to the statement's; the
 * evidence, standing, deadline and materiality each have their own file.
 */
import { createHash } from 'node:crypto';
import type { ReadProofDocument, ReceiptDocument, StatementContent, StatementLine } from '@ies/verify';
import { SettlementError } from './codes.js';
import { DISPUTE_TYPES, type DisputeType } from './dispute-policy.js';

export const DISPUTE_SCHEMA = 'ies.settlement.dispute/v1';
const MAX_LINES = 500;
const MAX_EVIDENCE = 100;

export interface DisputedLine {
  readonly kind: StatementLine['kind'];
  readonly reference: string;
  readonly intervalStartMs: number | null;
  readonly meterId: string | null;
  readonly payer: string;
  readonly payee: string;
  readonly claimed: { readonly quantityWh?: number; readonly amountPaise: number };
}

export type DisputeEvidence =
  | { readonly kind: 'READ_PROOF'; readonly proof: ReadProofDocument }
  | { readonly kind: 'TLOG_PROOF'; readonly text: string }
  | { readonly kind: 'RECEIPT'; readonly receipt: ReceiptDocument }
  | { readonly kind: 'NO_READ'; readonly meterId: string; readonly blockStart: string; readonly channel: 'IMPORT' | 'EXPORT' };

export interface DisputeDocument {
  readonly schema: typeof DISPUTE_SCHEMA;
  readonly statementId: string;
  readonly type: DisputeType;
  readonly lines: readonly DisputedLine[];
  readonly evidence: readonly DisputeEvidence[];
  readonly reason: string;
}

/** A disputed line with the statement's line it names. */
export interface MatchedLine {
  readonly disputed: DisputedLine;
  readonly stated: StatementLine;
}

/** `DSP-` and the first 20 hex digits of the SHA-256 of the signed bytes: the same document is the same dispute. */
export function disputeIdOf(signedBytes: Uint8Array): string {
  return `DSP-${createHash('sha256').update(signedBytes).digest('hex').slice(0, 20)}`;
}

/** Adjustment lines of upheld disputes carry the dispute id as their reference. */
export function isDisputeId(reference: string): boolean {
  return /^DSP-[0-9a-f]{20}$/.test(reference);
}

/** The statement's DISCOM, from its id (`<discom>:<day>:<run>`). */
export function statementDiscom(statementId: string): string {
  return statementId.split(':')[0] ?? '';
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => v !== null && typeof v === 'object' && !Array.isArray(v);
const invalid = (path: string, message: string) => new SettlementError('IES_ERR_DISPUTE_INVALID', `${path}: ${message}`, [{ code: 'IES_ERR_DISPUTE_INVALID', path, message }]);
const only = (o: Obj, path: string, keys: readonly string[]) => {
  for (const k of Object.keys(o)) if (!keys.includes(k)) throw invalid(`${path}.${k}`, 'unknown member (misspelt?)');
};
const text = (v: unknown, path: string, max: number): string => {
  if (typeof v !== 'string' || v === '' || v.length > max) throw invalid(path, `must be a string of 1 to ${max} characters`);
  return v;
};
const count = (v: unknown, path: string): number => {
  if (!Number.isSafeInteger(v) || (v as number) < 0) throw invalid(path, `must be a non-negative integer, got ${JSON.stringify(v)}`);
  return v as number;
};

/** The document as signed, or IES_ERR_DISPUTE_INVALID naming the first bad path. */
export function parseDispute(value: unknown): DisputeDocument {
  if (!isObj(value)) throw invalid('$', 'a dispute is a JSON object');
  only(value, '$', ['schema', 'statementId', 'type', 'lines', 'evidence', 'reason']);
  if (value['schema'] !== DISPUTE_SCHEMA) throw invalid('$.schema', `must be ${DISPUTE_SCHEMA}`);
  const statementId = text(value['statementId'], '$.statementId', 200);
  if (!(DISPUTE_TYPES as readonly unknown[]).includes(value['type'])) throw invalid('$.type', `must be one of ${DISPUTE_TYPES.join(', ')}`);
  const reason = text(value['reason'], '$.reason', 2000);
  const lines = value['lines'];
  if (!Array.isArray(lines) || lines.length === 0 || lines.length > MAX_LINES) throw invalid('$.lines', `must name 1 to ${MAX_LINES} lines`);
  const parsedLines = lines.map((l: unknown, i): DisputedLine => {
    const path = `$.lines[${i}]`;
    if (!isObj(l)) throw invalid(path, 'must be an object');
    only(l, path, ['kind', 'reference', 'intervalStartMs', 'meterId', 'payer', 'payee', 'claimed']);
    const claimed = l['claimed'];
    if (!isObj(claimed)) throw invalid(`${path}.claimed`, 'must be an object {quantityWh?, amountPaise}');
    only(claimed, `${path}.claimed`, ['quantityWh', 'amountPaise']);
    const intervalStartMs = l['intervalStartMs'] === null || l['intervalStartMs'] === undefined ? null : count(l['intervalStartMs'], `${path}.intervalStartMs`);
    const meterId = l['meterId'] === null || l['meterId'] === undefined ? null : text(l['meterId'], `${path}.meterId`, 128);
    return {
      kind: text(l['kind'], `${path}.kind`, 40) as StatementLine['kind'], reference: text(l['reference'], `${path}.reference`, 300), intervalStartMs, meterId,
      payer: text(l['payer'], `${path}.payer`, 200), payee: text(l['payee'], `${path}.payee`, 200),
      claimed: { amountPaise: count(claimed['amountPaise'], `${path}.claimed.amountPaise`), ...(claimed['quantityWh'] === undefined ? {} : { quantityWh: count(claimed['quantityWh'], `${path}.claimed.quantityWh`) }) },
    };
  });
  const evidence = value['evidence'];
  if (!Array.isArray(evidence) || evidence.length > MAX_EVIDENCE) throw invalid('$.evidence', `must be an array of at most ${MAX_EVIDENCE} items`);
  const parsedEvidence = evidence.map((e: unknown, i): DisputeEvidence => {
    const path = `$.evidence[${i}]`;
    if (!isObj(e)) throw invalid(path, 'must be an object with a kind');
    switch (e['kind']) {
      case 'READ_PROOF':
        only(e, path, ['kind', 'proof']);
        if (!isObj(e['proof'])) throw invalid(`${path}.proof`, 'must be a read proof document (GET /v1/reads/proof)');
        return { kind: 'READ_PROOF', proof: e['proof'] as unknown as ReadProofDocument };
      case 'TLOG_PROOF':
        only(e, path, ['kind', 'text']);
        return { kind: 'TLOG_PROOF', text: text(e['text'], `${path}.text`, 200_000) };
      case 'RECEIPT':
        only(e, path, ['kind', 'receipt']);
        if (!isObj(e['receipt'])) throw invalid(`${path}.receipt`, 'must be a receipt document (GET /v1/batches/{id}/receipt)');
        return { kind: 'RECEIPT', receipt: e['receipt'] as unknown as ReceiptDocument };
      case 'NO_READ': {
        only(e, path, ['kind', 'meterId', 'blockStart', 'channel']);
        const blockStart = text(e['blockStart'], `${path}.blockStart`, 40);
        if (!Number.isFinite(Date.parse(blockStart))) throw invalid(`${path}.blockStart`, 'must be an RFC 3339 date-time');
        if (e['channel'] !== 'IMPORT' && e['channel'] !== 'EXPORT') throw invalid(`${path}.channel`, 'must be IMPORT or EXPORT');
        return { kind: 'NO_READ', meterId: text(e['meterId'], `${path}.meterId`, 128), blockStart, channel: e['channel'] };
      }
      default:
        throw invalid(`${path}.kind`, 'must be READ_PROOF, TLOG_PROOF, RECEIPT or NO_READ');
    }
  });
  return { schema: DISPUTE_SCHEMA, statementId, type: value['type'] as DisputeType, lines: parsedLines, evidence: parsedEvidence, reason };
}

const lineKey = (l: { kind: string; reference: string; intervalStartMs: number | null; meterId: string | null; payer: string; payee: string }) =>
  [l.kind, l.reference, l.intervalStartMs ?? '', l.meterId ?? '', l.payer, l.payee].join('\u0000');

/**
 * Each disputed line with the statement's line it names (the diff's line identity). A line
 * the statement does not have, a line named twice, a line a missing-data policy touched (the
 * next run settles it on the read), an adjustment line, or a claim equal to the stated
 * figures is refused.
 */
export function matchLines(doc: DisputeDocument, statement: StatementContent): MatchedLine[] {
  if (statement.run === undefined || statement.scope.kind !== 'DAY') throw invalid('$.statementId', `${statement.id} is not a calendar run's statement; disputes contest runs`);
  const byKey = new Map(statement.lines.map((l) => [lineKey(l), l]));
  const seen = new Set<string>();
  return doc.lines.map((d, i) => {
    const path = `$.lines[${i}]`;
    const key = lineKey(d);
    const stated = byKey.get(key);
    if (stated === undefined) throw invalid(path, `${statement.id} has no ${d.kind} line ${d.reference} ${d.meterId ?? ''} ${d.payer} → ${d.payee}${d.intervalStartMs === null ? '' : ` at ${new Date(d.intervalStartMs).toISOString()}`}`);
    if (seen.has(key)) throw invalid(path, 'names the same line twice');
    seen.add(key);
    if (stated.kind === 'ADJUSTMENT') throw invalid(path, 'an adjustment line is disputed through the dispute it cites');
    if (stated.missingData !== undefined) throw invalid(path, `the line is settled under ${stated.missingData} with reads missing: a later run settles it on the reads, not a dispute`);
    if (d.claimed.amountPaise === stated.amountPaise && (d.claimed.quantityWh === undefined || d.claimed.quantityWh === stated.quantityWh)) throw invalid(`${path}.claimed`, 'claims the stated figures');
    return { disputed: d, stated };
  });
}
