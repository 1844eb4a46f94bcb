/**
 * RFC 8785 canonical JSON of a statement's content, written in parts of about a megabyte
 * (UTF-8) instead of one string: a day's statement runs to hundreds of megabytes. Produces
 * exactly the bytes of `canonicalJson(content)` (@ies/crypto, the reference; a test compares
 * the two): members sorted by UTF-16 code units, strings as JSON.stringify escapes them,
 * numbers in the ECMAScript form. Lines, the bulk, are written with their members in sorted
 * order by hand; a line with other members than StatementLine's goes through canonicalJson.
 */
import { canonicalJson } from '@ies/crypto';
import type { StatementContent, StatementLine } from './content.js';

const PART_CHARS = 1 << 20;
const LINE_KEYS = 12;

export function canonicalStatementParts(content: StatementContent): Uint8Array[] {
  const encoder = new TextEncoder();
  // Anything irregular (a line of another shape, a value canonicalJson refuses) takes the
  // reference path, which gives the same bytes or the same error as it always did.
  return fastParts(content, encoder) ?? [encoder.encode(canonicalJson(content))];
}

function fastParts(content: StatementContent, encoder: InstanceType<typeof TextEncoder>): Uint8Array[] | undefined {
  const parts: Uint8Array[] = [];
  let text = '{';
  for (const [k, key] of Object.keys(content).sort().entries()) {
    text += `${k === 0 ? '' : ','}${JSON.stringify(key)}:`;
    const value = (content as unknown as Record<string, unknown>)[key];
    if (key !== 'lines' || !Array.isArray(value)) {
      const json = canonicalOrUndefined(value);
      if (json === undefined) return undefined;
      text += json;
      continue;
    }
    // Lines are gathered as separate strings and joined once per part (cheaper than growing one string).
    let rows: string[] = [`${text}[`];
    let chars = 0;
    const lines = value as readonly StatementLine[];
    for (let i = 0; i < lines.length; i++) {
      const json = lineJson(lines[i]!);
      if (json === undefined) return undefined;
      rows.push(i === 0 ? json : `,${json}`);
      chars += json.length;
      if (chars >= PART_CHARS) {
        parts.push(encoder.encode(rows.join('')));
        rows = [];
        chars = 0;
      }
    }
    text = `${rows.join('')}]`;
  }
  parts.push(encoder.encode(`${text}}`));
  return parts;
}

/** A line of exactly StatementLine's members and types, canonical; undefined for anything else. */
function lineJson(l: StatementLine): string | undefined {
  const withMissing = l.missingData !== undefined;
  if (Object.keys(l).length !== LINE_KEYS + (withMissing ? 1 : 0) || (!withMissing && 'missingData' in l)) return undefined;
  if (!(num(l.amountPaise) && str(l.counterparty) && numOrNull(l.intervalEndMs) && numOrNull(l.intervalStartMs) && str(l.kind) && strOrNull(l.meterId)
    && (!withMissing || str(l.missingData)) && strOrNull(l.note) && str(l.payee) && str(l.payer) && numOrNull(l.quantityWh) && numOrNull(l.ratePaisePerKwh) && str(l.reference))) return undefined;
  return `{"amountPaise":${l.amountPaise},"counterparty":${text(l.counterparty)},"intervalEndMs":${l.intervalEndMs},"intervalStartMs":${l.intervalStartMs}`
    + `,"kind":${text(l.kind)},"meterId":${l.meterId === null ? 'null' : text(l.meterId)}${withMissing ? `,"missingData":${text(l.missingData!)}` : ''},"note":${l.note === null ? 'null' : text(l.note)}`
    + `,"payee":${text(l.payee)},"payer":${text(l.payer)},"quantityWh":${l.quantityWh},"ratePaisePerKwh":${l.ratePaisePerKwh},"reference":${text(l.reference)}}`;
}

/** Text JSON.stringify leaves as it is between quotes: no quote, backslash, control character or surrogate. */
const VERBATIM = /^[^"\\\u0000-\u001f\ud800-\udfff]*$/;
const text = (s: string): string => (VERBATIM.test(s) ? `"${s}"` : JSON.stringify(s));

function canonicalOrUndefined(value: unknown): string | undefined {
  try {
    return canonicalJson(value);
  } catch {
    return undefined;
  }
}

const num = (v: unknown): boolean => typeof v === 'number' && Number.isFinite(v);
const numOrNull = (v: unknown): boolean => v === null || num(v);
const str = (v: unknown): boolean => typeof v === 'string';
const strOrNull = (v: unknown): boolean => v === null || str(v);
