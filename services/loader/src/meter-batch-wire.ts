import type { AvroSerde } from '@ies/kafka';
import type { RecordReadColumns } from '@ies/registry/verify-batch';
import { isStorableRead, type MeterBatchRecord } from './domain/rows.js';
import { RowBinaryWriter } from './row-binary.js';
import { CHANNEL_CODE } from './row-encoding.js';

/**
 * meter-batches.v1 records from their Avro bytes (Confluent framing) straight into `reads`
 * RowBinary, without a JS object per read: Avro decoding and row encoding were most of the
 * loader's CPU per row (services/loader/README.md, "Issue 19").
 *
 * `MeterBatchWire.decode` decodes the record's other fields with avsc (the writer schema's
 * own field types, so a field the schema gains is read as the generic path reads it; `bytes`
 * fields as views, not copies) and reads `reads` once, writing each read's row, column for
 * column what rowsOfBatch + writeReadRowBinary write, into a buffer of the batch's own. The
 * record's `reads` property is decoded by avsc on first use (the batch verifier compares the
 * reads with the signed body); `writeWireReads` hands the rows to the insert buffer without
 * a copy once the batch is accepted.
 *
 * Used only when the writer schema's read item is the one this file knows (field names,
 * order and types; enum symbols are taken from the writer schema) and the record is one avsc
 * decodes without error; anything else returns undefined and takes the generic path, whose
 * result (value or dead letter) is then the loader's as before. A batch with a read to
 * refuse also goes the generic way, which writes the dead letters.
 */

/** The part of an avsc Type this file uses (the registry client hands avsc types out untyped). */
interface AvroType {
  readonly typeName: string;
  decode(buf: Buffer, pos?: number): { value: unknown; offset: number };
}
interface AvroField {
  readonly name: string;
  readonly type: AvroType;
}

/** How records of one writer schema are read. */
interface Plan {
  readonly fields: readonly AvroField[];
  readonly readsIndex: number;
  readonly readsType: AvroType;
  /** Enum8 code of each `channel` symbol. */
  readonly channelCodes: readonly number[];
  /** The writer schema's symbols of `channel`, `validationStatus` and `source`. */
  readonly channelSymbols: readonly string[];
  readonly statusSymbols: readonly string[];
  readonly sourceSymbols: readonly string[];
  /** RowBinary String of each `validationStatus` / `source` symbol. */
  readonly statusBytes: readonly Segment[];
  readonly sourceBytes: readonly Segment[];
  readonly longestStatus: number;
  readonly longestSource: number;
}

/** Where a wire-decoded record keeps its bytes (a symbol: the record's own fields stay the schema's). */
const WIRE = Symbol('meter-batch wire');

interface Wire {
  /** The batch's rows in RowBinary, or undefined when a read is to be refused. */
  readonly rows: Buffer[] | undefined;
  readonly count: number;
  /** The reads as columns (for the batch verifier), with the rows. */
  readonly columns: RecordReadColumns | undefined;
}

const HEADER_TYPES: Readonly<Record<string, string>> = { batchId: 'string', discomId: 'string', headEndId: 'string', receivedAt: 'long' };
const READ_FIELDS = ['meterId', 'blockStart', 'channel', 'wh', 'validationStatus', 'source'] as const;
const READ_TYPES = ['string', 'long', 'enum', 'long', 'enum', 'enum'] as const;

/** The plan for a writer schema (an avsc Type), or undefined when it is not one this file reads. */
export function planOf(writer: unknown): Plan | undefined {
  const record = writer as { typeName?: string; fields?: readonly AvroField[] };
  if (record.typeName !== 'record' || !Array.isArray(record.fields)) return undefined;
  const fields = record.fields;
  const readsIndex = fields.findIndex((f) => f.name === 'reads');
  // The rows repeat these batch fields, so they must come before `reads`.
  for (const [name, typeName] of Object.entries(HEADER_TYPES)) {
    const at = fields.findIndex((f) => f.name === name);
    if (at < 0 || at > readsIndex || fields[at]?.type.typeName !== typeName) return undefined;
  }
  const readsType = fields[readsIndex]?.type as (AvroType & { itemsType?: { typeName: string; fields?: readonly AvroField[] } }) | undefined;
  const item = readsType?.typeName === 'array' ? readsType.itemsType : undefined;
  const itemFields = item?.typeName === 'record' ? item.fields ?? [] : [];
  if (readsType === undefined || itemFields.length !== READ_FIELDS.length) return undefined;
  for (let i = 0; i < READ_FIELDS.length; i += 1) {
    const f = itemFields[i] as AvroField;
    if (f.name !== READ_FIELDS[i] || f.type.typeName !== READ_TYPES[i]) return undefined;
  }
  const symbols = (i: number) => (itemFields[i] as AvroField & { type: { symbols: readonly string[] } }).type.symbols;
  const channelCodes = symbols(2).map((s) => (CHANNEL_CODE as Readonly<Record<string, number>>)[s]);
  if (channelCodes.some((c) => c === undefined)) return undefined;
  const statusBytes = symbols(4).map((x) => segment(stringBytes(x)));
  const sourceBytes = symbols(5).map((x) => segment(stringBytes(x)));
  return {
    fields,
    readsIndex,
    readsType,
    channelCodes: channelCodes as number[],
    channelSymbols: symbols(2),
    statusSymbols: symbols(4),
    sourceSymbols: symbols(5),
    statusBytes,
    sourceBytes,
    longestStatus: Math.max(...statusBytes.map((b) => b.length)),
    longestSource: Math.max(...sourceBytes.map((b) => b.length)),
  };
}

/**
 * Zig-zag varint longs of up to 7 bytes (|n| < 2^48), the only ones this path takes: every
 * such value is exact in a double, so avsc reads the same number. NaN for a longer one or
 * one running past the end. `longEnd` is set to the offset after it.
 */
let longEnd = 0;
function readLong(buf: Buffer, at: number): number {
  const b = buf[at] as number;
  if (b < 0x80) {
    longEnd = at + 1;
    return b % 2 === 0 ? b / 2 : -(b + 1) / 2;
  }
  if (at + 7 > buf.length) return readLongNearEnd(buf, at);
  // Up to 4 bytes (28 bits) in integers, the rest in exact double arithmetic.
  let n = b & 0x7f;
  let c = buf[at + 1] as number;
  n |= (c & 0x7f) << 7;
  let i = 2;
  if (c >= 0x80) {
    c = buf[at + 2] as number;
    n |= (c & 0x7f) << 14;
    i = 3;
    if (c >= 0x80) {
      c = buf[at + 3] as number;
      n |= (c & 0x7f) << 21;
      i = 4;
      let scale = 268435456; // 2^28
      while (c >= 0x80) {
        if (i === 7) return NaN;
        c = buf[at + i] as number;
        n += (c & 0x7f) * scale;
        scale *= 128;
        i += 1;
      }
    }
  }
  longEnd = at + i;
  return n % 2 === 0 ? n / 2 : -(n + 1) / 2;
}

/** readLong within 7 bytes of the end, checking each byte is there. */
function readLongNearEnd(buf: Buffer, at: number): number {
  let n = 0;
  let scale = 1;
  for (let i = 0; i < 7; i += 1) {
    if (at + i >= buf.length) return NaN;
    const b = buf[at + i] as number;
    n += (b & 0x7f) * scale;
    if (b < 0x80) {
      longEnd = at + i + 1;
      return n % 2 === 0 ? n / 2 : -(n + 1) / 2;
    }
    scale *= 128;
  }
  return NaN;
}

/** A string's RowBinary bytes. */
function stringBytes(s: string): Buffer {
  const w = new RowBinaryWriter(64);
  w.string(s);
  return Buffer.from(w.bytes());
}

/**
 * Bytes every row repeats, also as little-endian 32-bit words: rows are written a word at
 * a time through a DataView, 4 times fewer stores than byte by byte (and cheaper than a
 * native copy call for a few dozen bytes).
 */
interface Segment {
  readonly length: number;
  readonly words: Int32Array;
  /** The bytes after the last whole word. */
  readonly rest: Uint8Array;
}

function segment(bytes: Buffer): Segment {
  const whole = bytes.length >>> 2;
  const words = new Int32Array(whole);
  for (let i = 0; i < whole; i += 1) words[i] = bytes.readInt32LE(i * 4);
  return { length: bytes.length, words, rest: Uint8Array.from(bytes.subarray(whole * 4)) };
}

/** What every row of one batch repeats: the columns before meter_id, and those after index_in_batch. */
interface BatchColumns {
  readonly head: Segment;
  readonly batch: Segment;
  readonly tail: Segment;
}

function batchColumns(discomId: string, batchId: string, headEndId: string, receivedAt: number): BatchColumns {
  const t = new RowBinaryWriter(256);
  t.string(headEndId);
  t.uint64(receivedAt);
  return { head: segment(stringBytes(discomId)), batch: segment(stringBytes(batchId)), tail: segment(Buffer.from(t.bytes())) };
}

/** The `reads` array at `at` as rows (or only stepped over), and the offset after it. */
interface ReadRows {
  /** -1 unless avsc would decode the array without error and every long in it is one readLong takes. */
  end: number;
  /** The rows in RowBinary; undefined when a read would be refused (readRefusal). */
  rows: Buffer[] | undefined;
  count: number;
  /** The reads as columns, with the rows. */
  columns: RecordReadColumns | undefined;
}

/**
 * Reads the `reads` array at `at` once: checks what avsc would check (so the lazy decode of
 * `reads` cannot fail) and writes each read's row as writeReadRowBinary writes rowsOfBatch's.
 */
function readRows(plan: Plan, src: Buffer, at: number, columns: BatchColumns): ReadRows {
  const { channelCodes, statusBytes, sourceBytes } = plan;
  const { head, batch, tail } = columns;
  const fixed = head.length + 5 + 4 + 1 + 8 + plan.longestStatus + plan.longestSource + batch.length + 4 + tail.length;
  let out: RowBinaryWriter | undefined;
  let view: Buffer | undefined;
  let dv: DataView = new DataView(new ArrayBuffer(0));
  let storable = true;
  let index = 0;
  let pos = at;
  const fail: ReadRows = { end: -1, rows: undefined, count: 0, columns: undefined };
  let cols: Columns | undefined;
  for (;;) {
    let count = readLong(src, pos);
    if (Number.isNaN(count)) return fail;
    pos = longEnd;
    if (count === 0) break;
    if (count < 0) {
      count = -count;
      if (Number.isNaN(readLong(src, pos))) return fail; // the block's byte size
      pos = longEnd;
    }
    out ??= new RowBinaryWriter(Math.max(4096, Math.min(16 * 1024 * 1024, count * (fixed + 16))));
    // A read takes at least 6 bytes (six fields of at least one): a count the bytes left cannot
    // hold is malformed (avsc refuses it too), and must not size the columns.
    if (count > (src.length - pos) / 6) return fail;
    if (cols === undefined) cols = readColumns(plan, src, count);
    else if (cols.meterAt.length < index + count) cols = grown(cols, index + count);
    for (let k = 0; k < count; k += 1, index += 1) {
      // Short string lengths (and enum indexes) are one byte: read inline.
      let len: number;
      const b0 = src[pos] as number;
      if (b0 < 0x80) {
        len = b0 % 2 === 0 ? b0 / 2 : -1;
        pos += 1;
      } else {
        len = readLong(src, pos);
        pos = longEnd;
      }
      if (!(len >= 0) || pos + len > src.length) return fail;
      const from = pos;
      pos += len;
      const blockStart = readLong(src, pos);
      const channel = readIndex(src, longEnd);
      const wh = readLong(src, longEnd);
      const status = readIndex(src, longEnd);
      const source = readIndex(src, longEnd);
      pos = longEnd;
      if (Number.isNaN(blockStart) || Number.isNaN(wh) || !(channel < channelCodes.length) || !(status < statusBytes.length) || !(source < sourceBytes.length)) return fail;
      if (!storable) continue;
      if (!isStorableRead(blockStart, wh)) {
        storable = false;
        continue;
      }
      cols.meterAt[index] = from;
      cols.meterLength[index] = len;
      cols.blockStart[index] = blockStart;
      cols.wh[index] = wh;
      cols.channel[index] = channel;
      cols.status[index] = status;
      cols.source[index] = source;
      const b = out.room(fixed + 3 * len);
      if (b !== view) {
        view = b;
        dv = new DataView(b.buffer, b.byteOffset, b.length);
      }
      let p = put(head, dv, b, out.offset);
      p = writeString(src, from, len, b, p);
      dv.setUint32(p, blockStart / 1000, true);
      b[p + 4] = channelCodes[channel] as number;
      const lo = wh >>> 0;
      dv.setUint32(p + 5, lo, true);
      dv.setInt32(p + 9, (wh - lo) / 4294967296, true);
      p = put(statusBytes[status] as Segment, dv, b, p + 13);
      p = put(sourceBytes[source] as Segment, dv, b, p);
      p = put(batch, dv, b, p);
      dv.setUint32(p, index, true);
      p = put(tail, dv, b, p + 4);
      out.advance(p);
    }
  }
  return { end: pos, rows: storable ? out?.chunks() ?? [] : undefined, count: index, columns: storable ? { ...(cols ?? readColumns(plan, src, 0)), count: index } : undefined };
}

type Columns = { -readonly [K in keyof RecordReadColumns]: RecordReadColumns[K] };

/** Columns with room for `capacity` reads of `bytes`. */
function readColumns(plan: Plan, bytes: Uint8Array, capacity: number): Columns {
  return {
    count: 0,
    bytes,
    meterAt: new Uint32Array(capacity),
    meterLength: new Uint32Array(capacity),
    blockStart: new Float64Array(capacity),
    wh: new Float64Array(capacity),
    channel: new Uint8Array(capacity),
    status: new Uint8Array(capacity),
    source: new Uint8Array(capacity),
    channelSymbols: plan.channelSymbols,
    statusSymbols: plan.statusSymbols,
    sourceSymbols: plan.sourceSymbols,
  };
}

/** `c` copied into columns of at least `needed` reads (an array of several Avro blocks). */
function grown(c: Columns, needed: number): Columns {
  const capacity = Math.max(needed, 2 * c.meterAt.length);
  const copy = <T extends Uint32Array | Float64Array | Uint8Array>(a: T, b: T): T => (b.set(a), b);
  return {
    ...c,
    meterAt: copy(c.meterAt, new Uint32Array(capacity)),
    meterLength: copy(c.meterLength, new Uint32Array(capacity)),
    blockStart: copy(c.blockStart, new Float64Array(capacity)),
    wh: copy(c.wh, new Float64Array(capacity)),
    channel: copy(c.channel, new Uint8Array(capacity)),
    status: copy(c.status, new Uint8Array(capacity)),
    source: copy(c.source, new Uint8Array(capacity)),
  };
}

/** An enum index (a non-negative long), NaN for anything else; sets longEnd. */
function readIndex(src: Buffer, at: number): number {
  const b = src[at] as number;
  if (b < 0x80) {
    longEnd = at + 1;
    return b % 2 === 0 ? b / 2 : NaN;
  }
  const n = readLong(src, at);
  return n >= 0 ? n : NaN;
}

/** The writer schema's record from `payload`, its reads as rows; undefined when this path does not take it. */
function decodeWith(plan: Plan, payload: Buffer): MeterBatchRecord | undefined {
  const record: Record<string | symbol, unknown> = {};
  let pos = 0;
  for (let i = 0; i < plan.fields.length; i += 1) {
    const field = plan.fields[i] as AvroField;
    if (i === plan.readsIndex) {
      const { batchId, discomId, headEndId, receivedAt } = record as unknown as MeterBatchRecord;
      // A batch refused as a whole (batchRefusal) takes the generic path.
      if (!Number.isSafeInteger(receivedAt) || receivedAt < 0) return undefined;
      const readsAt = pos;
      const rows = readRows(plan, payload, readsAt, batchColumns(discomId, batchId, headEndId, receivedAt));
      if (rows.end < 0) return undefined;
      pos = rows.end;
      let reads: unknown;
      Object.defineProperty(record, 'reads', {
        enumerable: true,
        get: () => (reads ??= plan.readsType.decode(payload, readsAt).value),
      });
      record[WIRE] = { rows: rows.rows, count: rows.count, columns: rows.columns } satisfies Wire;
      continue;
    }
    if (field.type.typeName === 'bytes') {
      // A view instead of avsc's copy (the body is most of a batch record's bytes).
      const len = readLong(payload, pos);
      if (!(len >= 0) || longEnd + len > payload.length) return undefined;
      record[field.name] = payload.subarray(longEnd, longEnd + len);
      pos = longEnd + len;
      continue;
    }
    const { value, offset } = field.type.decode(payload, pos);
    if (offset < 0) return undefined;
    record[field.name] = value;
    pos = offset;
  }
  // avsc refuses trailing bytes.
  return pos === payload.length ? (record as unknown as MeterBatchRecord) : undefined;
}

/**
 * Decodes meter-batches.v1 values whose writer schema has a plan. A writer schema is looked
 * up once per schema id (the registry client caches it too).
 */
export class MeterBatchWire {
  private readonly plans = new Map<number, Plan | null>();

  constructor(private readonly serde: Pick<AvroSerde, 'registry'>) {}

  /** The decoded record, or undefined: then decode it the generic way (which also reports any error). Never throws. */
  async decode(value: Buffer): Promise<MeterBatchRecord | undefined> {
    if (value.length < 5 || value[0] !== 0) return undefined;
    const id = value.readInt32BE(1);
    let plan = this.plans.get(id);
    if (plan === undefined) {
      try {
        plan = planOf(await this.serde.registry.getSchema(id)) ?? null;
      } catch {
        return undefined; // the generic path asks the registry again and says what failed
      }
      this.plans.set(id, plan);
    }
    if (plan === null) return undefined;
    try {
      return decodeWith(plan, value.subarray(5));
    } catch {
      return undefined; // e.g. an enum index avsc refuses: the generic path makes it a dead letter
    }
  }
}

/** Whether `batch` came from MeterBatchWire (and `writeWireReads` may have its rows). */
export function isWireBatch(batch: MeterBatchRecord): boolean {
  return WIRE in batch;
}

/** The reads of a wire-decoded batch as columns for BatchVerifier.check; undefined for any other batch. */
export function wireReadColumns(batch: MeterBatchRecord): RecordReadColumns | undefined {
  return (batch as unknown as { [WIRE]?: Wire })[WIRE]?.columns;
}

/**
 * Appends the `reads` rows of a wire-decoded batch already accepted as a whole (batchRefusal
 * found nothing) and returns how many; undefined, having written nothing, when it has a read
 * to refuse (the generic path then writes the others and the dead letters).
 */
export function writeWireReads(batch: MeterBatchRecord, out: RowBinaryWriter): number | undefined {
  const wire = (batch as unknown as { [WIRE]?: Wire })[WIRE];
  if (wire?.rows === undefined) return undefined;
  out.adopt(wire.rows);
  return wire.count;
}

/** Writes a segment at `at` (a word at a time); returns the offset after it. */
function put(seg: Segment, dv: DataView, to: Buffer, at: number): number {
  const { words, rest } = seg;
  let p = at;
  for (let i = 0; i < words.length; i += 1, p += 4) dv.setInt32(p, words[i] as number, true);
  for (let i = 0; i < rest.length; i += 1) to[p++] = rest[i] as number;
  return p;
}

/**
 * An Avro string as a RowBinary String: ASCII bytes as they are; anything else decoded as
 * avsc decodes it and encoded again as RowBinaryWriter.string does (a byte sequence that is
 * not UTF-8 becomes U+FFFD both ways). `to` has room for 5 + 3 × len bytes.
 */
function writeString(src: Buffer, from: number, len: number, to: Buffer, at: number): number {
  if (len < 0x80) {
    let i = 0;
    for (; i < len; i += 1) {
      const c = src[from + i] as number;
      if (c >= 0x80) break;
      to[at + 1 + i] = c;
    }
    if (i === len) {
      to[at] = len;
      return at + 1 + len;
    }
  }
  const s = src.toString('utf8', from, from + len);
  let n = Buffer.byteLength(s, 'utf8');
  let p = at;
  while (n >= 0x80) {
    to[p++] = (n & 0x7f) | 0x80;
    n >>>= 7;
  }
  to[p++] = n;
  return p + to.write(s, p, 'utf8');
}
