import { BLOCK_MS } from '@ies/units';
import { CSV_HEADER } from './normalise-csv.js';
import { parseOffsetTime, type OffsetTime } from './timestamps.js';
import { VALIDATION_STATUSES, type Channel, type IngestContext, type MeterInfo, type NormalisedRead, type ValidationStatus } from './types.js';
import { MeterVerdicts, idHash, spread } from './meter-verdicts.js';
import { maxPlausibleWh } from './vee.js';

/**
 * The accepted reads of a compact CSV batch as columns, one entry per read in document order:
 * what `normaliseCompactCsv` returns as `reads`, without an object per read. Meter ids are
 * kept once per distinct meter, so an encoder can encode each one once per batch.
 */
export interface CompactCsvColumns {
  count: number;
  /** The batch's distinct meter ids, in order of first appearance. */
  meterIds: string[];
  /** Per read: its meter's index in `meterIds`. */
  meter: Uint32Array;
  /** Per read: UTC epoch ms of the block start (on a 15-minute boundary, ≥ 0, ended before `nowMs`). */
  blockStart: Float64Array;
  /** Per read: 0 IMPORT, 1 EXPORT (CHANNELS). */
  channel: Uint8Array;
  /** Per read: Wh, a non-negative integer below 10^15 within the meter's plausible maximum. */
  wh: Float64Array;
  /** Per read: index in VALIDATION_STATUSES. */
  status: Uint8Array;
}

/** Channel codes of `CompactCsvColumns.channel`. */
export const CHANNELS: readonly Channel[] = ['IMPORT', 'EXPORT'];
/** Every read of a compact CSV body comes from the head-end system's export. */
export const COMPACT_CSV_SOURCE = 'HES';

const LF = 0x0a;
const CR = 0x0d;
const NOT_PLAIN = /[^\x20-\x7e\r\n]/;
const LONE_CR = /\r(?!\n)/;
const STATUS_BYTES = VALIDATION_STATUSES.map((s) => new Uint8Array(Buffer.from(s, 'latin1')));
/** At most 15 digits: below 10^15, so exact in a double with room to spare (safe integers reach 2^53 ≈ 9.007 × 10^15). */
const MAX_WH_DIGITS = 15;

/**
 * The common case of `normaliseCompactCsv` in one pass over the text: a body of plain rows
 * whose every read passes VEE. It returns the accepted reads as columns, exactly the reads
 * `normaliseBatch('COMPACT_CSV', body, ctx)` gives (`rejected` and `ignoredProfiles` then empty), or
 * undefined for any body it was not built for, which the caller then normalises the usual
 * way. Declined: a body with a byte-order mark, a non-ASCII or control character (apart from
 * line ends), a wrong header, no rows, a blank line, a row without exactly five fields, a meter
 * id that is empty or holds `"` or `\`, a negative, signed or over-long Wh, and every read any
 * VEE rule refuses (malformed, unknown or foreign meter, misaligned, before 1970, future,
 * implausible, duplicate): whatever would be rejected or needs a message is left to the rules
 * that word it. services/gateway/src/ingest/compact-batch-record.test.ts compares the two on
 * seeded random batches.
 */
export function compactCsvColumns(body: Uint8Array, ctx: IngestContext): CompactCsvColumns | undefined {
  // Latin-1 maps each byte to one character; any byte above 0x7e declines the body below, so
  // what is scanned is exactly the UTF-8 text normaliseBatch decodes.
  const bytes = Buffer.from(body.buffer, body.byteOffset, body.byteLength);
  const text = bytes.toString('latin1');
  const { nowMs, plausibilityMargin } = ctx.policy;
  if (!Number.isSafeInteger(nowMs) || !Number.isFinite(plausibilityMargin) || plausibilityMargin <= 0) return undefined; // assertPolicy's refusal, worded there
  const n = text.length;
  if (!text.startsWith(CSV_HEADER)) return undefined;
  let pos = CSV_HEADER.length;
  if (text.charCodeAt(pos) === CR) pos += 1;
  if (text.charCodeAt(pos) !== LF) return undefined; // another header, or no rows
  pos += 1;
  if (pos >= n) return undefined;

  // Only printable ASCII and line ends; a carriage return only before a line feed.
  if (NOT_PLAIN.test(text)) return undefined;
  const withCr = text.includes('\r', pos);
  if (withCr && LONE_CR.test(text)) return undefined;

  let rows = 1;
  for (let i = text.indexOf('\n', pos); i !== -1; i = text.indexOf('\n', i + 1)) rows += 1;
  const capacity = 2 * rows;
  const meter = new Uint32Array(capacity);
  const blockStart = new Float64Array(capacity);
  const channel = new Uint8Array(capacity);
  const wh = new Float64Array(capacity);
  const status = new Uint8Array(capacity);

  const meterIds: string[] = [];
  const maxImport: number[] = [];
  const maxExport: number[] = [];
  // Meters are found by a hash of the id's bytes in an open-addressed table, compared in place:
  // no string per row to hash (a Map lookup of a fresh slice cost more than the rest of the
  // row). The context's table, kept between batches, when it was built for this context.
  const kept = ctx.meterVerdicts;
  const verdicts = kept !== undefined && kept.discomId === ctx.discomId && kept.senderId === ctx.senderId && kept.plausibilityMargin === plausibilityMargin ? kept : new MeterVerdicts(ctx.discomId, ctx.senderId, plausibilityMargin);
  const batch = verdicts.nextBatch();
  // Accepted (meter, slot) pairs, slot = block number × 2 + channel, for the duplicate rule:
  // open-addressed as well, sized for every read the body can hold.
  const pairBits = Math.max(4, 32 - Math.clz32(2 * capacity));
  const pairMask = (1 << pairBits) - 1;
  const pairMeter = new Int32Array(pairMask + 1).fill(-1);
  const pairSlot = new Int32Array(pairMask + 1);
  /** True when (m, slot) was free, and is now taken. */
  const take = (m: number, slot: number): boolean => {
    let i = pairHash(m, slot) & pairMask;
    for (;;) {
      const held = pairMeter[i] as number;
      if (held === -1) {
        pairMeter[i] = m;
        pairSlot[i] = slot;
        return true;
      }
      if (held === m && pairSlot[i] === slot) return false;
      i = (i + 1) & pairMask;
    }
  };
  const times = new Map<string, OffsetTime | undefined>();
  let lastTimeStart = 0;
  let lastTimeLength = -1;
  let lastMs = 0;
  let count = 0;

  while (pos < n) {
    // A row's four commas and its end, found natively; the checks above made every character plain.
    let end = text.indexOf('\n', pos);
    if (end === -1) end = n;
    const next = end + 1;
    if (withCr && text.charCodeAt(end - 1) === CR) end -= 1;
    const c1 = text.indexOf(',', pos);
    const c2 = text.indexOf(',', c1 + 1);
    const c3 = text.indexOf(',', c2 + 1);
    const c4 = text.indexOf(',', c3 + 1);
    // Fewer than four commas, an empty meter id (a blank line included) or a fifth comma (no status matches it).
    if (c1 <= pos || c4 === -1 || c4 >= end) return undefined;

    // Meter: the registry's verdict once per distinct meter (once per head-end with a kept table).
    const h = idHash(body, pos, c1);
    let verdict = verdicts.find(h, body, pos, c1);
    if (verdict === undefined) {
      // A string of its own, not a slice of `text`, which would keep this body alive with a kept verdict.
      const meterId = bytes.toString('latin1', pos, c1);
      const info = admissibleMeter(meterId, ctx);
      if (info === undefined) return undefined;
      verdict = verdicts.add(meterId, h, maxPlausibleWh(info.sanctionedLoadW, plausibilityMargin), maxPlausibleWh(info.derCapacityW ?? info.sanctionedLoadW, plausibilityMargin));
    }
    if (verdict.stamp !== batch) {
      verdict.stamp = batch;
      verdict.index = meterIds.length;
      meterIds.push(verdict.meterId);
      maxImport.push(verdict.maxImportWh);
      maxExport.push(verdict.maxExportWh);
    }
    const m = verdict.index;

    // Block start: rows of a batch mostly repeat the previous row's text.
    const t0 = c1 + 1;
    if (c2 - t0 !== lastTimeLength || !sameRange(body, t0, lastTimeStart, lastTimeLength)) {
      const timeText = text.slice(t0, c2);
      let t = times.get(timeText);
      if (t === undefined && !times.has(timeText)) {
        t = parseOffsetTime(timeText);
        times.set(timeText, t);
      }
      if (t === undefined || t.subMillisecond || t.ms % BLOCK_MS !== 0 || t.ms < 0 || t.ms + BLOCK_MS > nowMs) return undefined;
      lastTimeStart = t0;
      lastTimeLength = c2 - t0;
      lastMs = t.ms;
    }

    const s = statusIndex(body, c4 + 1, end);
    if (s < 0) return undefined;
    const importWh = whOf(body, c2 + 1, c3);
    const exportWh = whOf(body, c3 + 1, c4);
    if (importWh === -2 || exportWh === -2 || (importWh === -1 && exportWh === -1)) return undefined;
    const slot = (lastMs / BLOCK_MS) * 2;
    if (importWh >= 0) {
      if (importWh > (maxImport[m] as number) || !take(m, slot)) return undefined;
      meter[count] = m;
      blockStart[count] = lastMs;
      channel[count] = 0;
      wh[count] = importWh;
      status[count] = s;
      count += 1;
    }
    if (exportWh >= 0) {
      if (exportWh > (maxExport[m] as number) || !take(m, slot + 1)) return undefined;
      meter[count] = m;
      blockStart[count] = lastMs;
      channel[count] = 1;
      wh[count] = exportWh;
      status[count] = s;
      count += 1;
    }
    // A line end at the very end of the body is the file's last; a blank line inside is a malformed row.
    pos = next;
  }
  return { count, meterIds, meter: meter.subarray(0, count), blockStart: blockStart.subarray(0, count), channel: channel.subarray(0, count), wh: wh.subarray(0, count), status: status.subarray(0, count) };
}

/**
 * The registry entry of a meter the batch may hold reads of, or undefined: unknown, another
 * DISCOM's, another head-end's, or an id canonical JSON would escape (`"`, `\`).
 */
function admissibleMeter(meterId: string, ctx: IngestContext): MeterInfo | undefined {
  if (meterId.includes('"') || meterId.includes('\\')) return undefined;
  const info = ctx.meters(meterId);
  if (info === undefined || info.discomId !== ctx.discomId) return undefined;
  if (info.headEndId !== undefined && ctx.senderId !== undefined && info.headEndId !== ctx.senderId) return undefined;
  return info;
}

/** The reads as `normaliseCompactCsv` gives them: objects, for whatever needs them (the usual encoder, tests). */
export function readsOfColumns(c: CompactCsvColumns): NormalisedRead[] {
  const reads: NormalisedRead[] = new Array(c.count);
  for (let i = 0; i < c.count; i++) reads[i] = readOfColumns(c, i);
  return reads;
}

/** Read `i` of the columns as an object. */
export function readOfColumns(c: CompactCsvColumns, i: number): NormalisedRead {
  return {
    meterId: c.meterIds[c.meter[i] as number] as string,
    blockStart: c.blockStart[i] as number,
    channel: CHANNELS[c.channel[i] as number] as Channel,
    wh: c.wh[i] as number,
    validationStatus: VALIDATION_STATUSES[c.status[i] as number] as ValidationStatus,
    source: COMPACT_CSV_SOURCE,
  };
}

/** A (meter, slot) pair's bucket, spread with the per-process seed (a head-end cannot choose blocks that pile into one bucket). */
function pairHash(m: number, slot: number): number {
  return spread(Math.imul(slot, 0x9e3779b1) ^ Math.imul(m, 0x85ebca6b));
}

function sameBytes(id: Uint8Array, body: Uint8Array, from: number, to: number): boolean {
  if (id.length !== to - from) return false;
  for (let i = 0; i < id.length; i++) if (id[i] !== body[from + i]) return false;
  return true;
}

function sameRange(body: Uint8Array, a: number, b: number, length: number): boolean {
  for (let i = 0; i < length; i++) if (body[a + i] !== body[b + i]) return false;
  return true;
}

/** The field [from, to) as Wh: -1 when empty (the channel is absent), -2 when not plain digits (sign, other characters, over 15 digits). */
function whOf(body: Uint8Array, from: number, to: number): number {
  if (to === from) return -1;
  if (to - from > MAX_WH_DIGITS) return -2;
  let v = 0;
  for (let i = from; i < to; i++) {
    const d = (body[i] as number) - 0x30;
    if (d < 0 || d > 9) return -2;
    v = v * 10 + d;
  }
  return v;
}

/** The index in VALIDATION_STATUSES of the field [from, to), or -1. */
function statusIndex(body: Uint8Array, from: number, to: number): number {
  const length = to - from;
  for (let k = 0; k < STATUS_BYTES.length; k++) {
    const word = STATUS_BYTES[k] as Uint8Array;
    if (word.length === length && sameBytes(word, body, from, to)) return k;
  }
  return -1;
}
