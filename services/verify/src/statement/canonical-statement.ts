/**
 * RFC 8785 canonical JSON of a statement's content as UTF-8 bytes, written a part of about a
 * megabyte at a time into one buffer instead of through one string: a day's statement runs
 * to hundreds of megabytes. Produces
 * exactly the bytes of `canonicalJson(content)` (@ies/crypto, the reference; a test compares
 * the two): members sorted by UTF-16 code units, strings as JSON.stringify escapes them,
 * numbers in the ECMAScript form. Lines, the bulk, are written with their members in sorted
 * order by hand; a line with other members than StatementLine's goes through canonicalJson.
 */
import { canonicalJson } from '@ies/crypto';
import type { NetPosition, StatementContent, StatementLine } from './content.js';

const PART_CHARS = 1 << 20;
const LINE_KEYS = 12;
/** A first guess of a line's size in bytes (they run to about 290), so the buffer rarely grows. */
const LINE_BYTES_GUESS = 320;

export function canonicalStatementBytes(content: StatementContent): Uint8Array {
  // Anything irregular (a line of another shape, a value canonicalJson refuses) takes the
  // reference path, which gives the same bytes or the same error as it always did.
  return fastBytes(content) ?? new TextEncoder().encode(canonicalJson(content));
}

/** UTF-8 written into one growing buffer, text a part at a time (TextEncoder.encodeInto). */
class ByteWriter {
  private readonly encoder = new TextEncoder();
  private buf: Uint8Array;
  private used = 0;

  constructor(estimate: number) {
    this.buf = new Uint8Array(estimate);
  }

  write(text: string): void {
    for (let rest = text; ;) {
      const { read, written } = this.encoder.encodeInto(rest, this.buf.subarray(this.used));
      this.used += written;
      if (read === rest.length) return;
      rest = rest.slice(read);
      const bigger = new Uint8Array(Math.max(Math.ceil(this.buf.length * 1.5), this.used + rest.length * 3));
      bigger.set(this.buf.subarray(0, this.used));
      this.buf = bigger;
    }
  }

  bytes(): Uint8Array {
    return this.buf.subarray(0, this.used);
  }
}

function fastBytes(content: StatementContent): Uint8Array | undefined {
  const lineCount = Array.isArray(content.lines) ? content.lines.length : 0;
  const out = new ByteWriter(4096 + lineCount * LINE_BYTES_GUESS);
  let text = '{';
  for (const [k, key] of Object.keys(content).sort().entries()) {
    text += `${k === 0 ? '' : ','}${JSON.stringify(key)}:`;
    const value = (content as unknown as Record<string, unknown>)[key];
    if ((key === 'netPositions' || key === 'interDiscomPositions') && Array.isArray(value)) {
      // One per counterparty: hundreds of thousands on a large DISCOM's day.
      const json = positionsJson(value as readonly NetPosition[]);
      if (json === undefined) return undefined;
      text += json;
      continue;
    }
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
      if (i > 0) rows.push(',');
      rows.push(json);
      chars += json.length;
      if (chars >= PART_CHARS) {
        out.write(rows.join(''));
        rows = [];
        chars = 0;
      }
    }
    text = `${rows.join('')}]`;
  }
  out.write(`${text}}`);
  return out.bytes();
}

/** Net positions of exactly NetPosition's members and types, canonical; undefined for anything else. */
function positionsJson(positions: readonly NetPosition[]): string | undefined {
  const out: string[] = [];
  for (const p of positions) {
    if (Object.keys(p).length !== 4 || !str(p.counterparty) || !num(p.netPaise) || !num(p.payablePaise) || !num(p.receivablePaise)) return undefined;
    out.push(`{"counterparty":${text(p.counterparty)},"netPaise":${p.netPaise},"payablePaise":${p.payablePaise},"receivablePaise":${p.receivablePaise}}`);
  }
  return `[${out.join(',')}]`;
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
// eslint-disable-next-line no-control-regex -- the control characters are exactly what JSON escapes
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
