import { CHANNELS, COMPACT_CSV_SOURCE, VALIDATION_STATUSES, type CompactCsvColumns } from '@ies/meterdata';
import { batchRootOfCanonicalLines } from '@ies/notary/batch-root';
import type { MeterBatchRecord } from '@ies/registry/verify-batch';
import { CANONICAL_READ_VERSION } from '@ies/verify';

/**
 * The Parsing Canonical Form fingerprint (SHA-256) of schemas-avro/meter-batch.v1.avsc: the
 * layout `encodeCompactBatch` writes. A tenant whose registered meter-batches.v1 schema has
 * another fingerprint gets the usual encoder (submit-batch.ts), and compact-batch-record.test.ts
 * fails when the file changes, so this writer is updated with it.
 */
export const METER_BATCH_V1_FINGERPRINT = '5f641105b5fcc30e98fc262ca08fb975e13cbfac1af93f2dca3eea3ec7afd23a';

/** Symbols of the schema's enums, in the schema's order (the fingerprint pins them). */
const FORMAT_SYMBOLS = ['IES_METERDATA_V06', 'COMPACT_CSV', 'IES_METERDATA_VC'];
const CHANNEL_SYMBOLS = ['IMPORT', 'EXPORT'];
const STATUS_SYMBOLS = ['VALID', 'ESTIMATED', 'MANUAL', 'SUSPECT', 'REJECTED'];
const SOURCE_SYMBOLS = ['METER', 'HES', 'ESTIMATED', 'MANUAL', 'IMPORT', 'MDM_COMPUTED', 'CIS_COMPUTED'];

/** An Avro enum value is its symbol's index as a zig-zag long: one byte for these. */
const enumByte = (symbols: readonly string[], symbol: string): number => {
  const index = symbols.indexOf(symbol);
  if (index < 0 || index > 63) throw new Error(`${symbol} is not a symbol of ${symbols.join(', ')}`);
  return index * 2;
};
const FORMAT_BYTE = enumByte(FORMAT_SYMBOLS, 'COMPACT_CSV');
const CHANNEL_BYTES = CHANNELS.map((c) => enumByte(CHANNEL_SYMBOLS, c));
const STATUS_BYTES = VALIDATION_STATUSES.map((s) => enumByte(STATUS_SYMBOLS, s));
const SOURCE_BYTE = enumByte(SOURCE_SYMBOLS, COMPACT_CSV_SOURCE);

/** A meter-batches.v1 record before its reads, for a compact CSV body. */
export type CompactBatchHeader = Omit<MeterBatchRecord, 'reads' | 'rejected' | 'body' | 'format' | 'batchRoot' | 'readCount'> & { body: Uint8Array };

/**
 * The meter-batches.v1 value (Confluent framing with `schemaId`) and the batch root of a
 * compact CSV batch whose reads all passed VEE, written straight from its columns: the root
 * and record the usual path gives (`batchRootOf` over the reads as objects, then avsc encoding
 * the record with `rejected` empty), byte for byte but for the reads block's head (its byte
 * size, below), without an object per read. Each distinct meter, block
 * start, channel and status is encoded once per batch; per read only the Wh digits are new.
 */
export function encodeCompactBatch(header: CompactBatchHeader, reads: CompactCsvColumns, schemaId: number): { batchRoot: string; value: Buffer } {
  const root = canonicalRoot(header.discomId, reads);
  const batchRoot = Buffer.from(root.buffer, root.byteOffset, root.byteLength).toString('base64');
  return { batchRoot, value: avroValue(header, reads, schemaId, batchRoot) };
}

/** Reused between batches (grown when one needs more); each use ends before the function returns. */
let lines: Buffer = Buffer.allocUnsafe(1 << 20);
let avro: Buffer = Buffer.allocUnsafe(1 << 20);

/**
 * The canonical JSON of each read (canonicalReadJson, @ies/verify: RFC 8785 members in order),
 * a line feed between them, hashed into the batch root in one call. Every value is a plain
 * ASCII word or digits apart from the DISCOM and meter ids, which JSON.stringify quotes
 * exactly as canonicalReadJson does.
 */
function canonicalRoot(discomId: string, c: CompactCsvColumns): Uint8Array {
  // Two pieces per read besides its Wh: what precedes the meter id (block start, channel,
  // DISCOM), made once per block and channel, and the meter id to the status, made once per
  // meter and status; copied natively (TypedArray set), faster than byte loops.
  const afterChannel = CHANNELS.map((ch) => `${ch}","discomId":${JSON.stringify(discomId)},"meterId":`);
  const statusTail = VALIDATION_STATUSES.map((s) => `${s}","wh":`);
  const meterPieces: (Buffer | undefined)[] = new Array(c.meterIds.length * statusTail.length);
  let blockMs = Number.NaN;
  let blockPieces: Buffer[] = [];
  let end = 0;
  for (let i = 0; i < c.count; i++) {
    const ms = c.blockStart[i] as number;
    if (ms !== blockMs) {
      const head = `{"blockStart":"${new Date(ms).toISOString().replace('.000Z', 'Z')}","channel":"`;
      blockPieces = afterChannel.map((a) => Buffer.from(head + a, 'utf8'));
      blockMs = ms;
    }
    const a = blockPieces[c.channel[i] as number] as Buffer;
    const key = (c.meter[i] as number) * statusTail.length + (c.status[i] as number);
    let m = meterPieces[key];
    if (m === undefined) {
      m = Buffer.from(`${JSON.stringify(c.meterIds[c.meter[i] as number])},"source":"${COMPACT_CSV_SOURCE}","v":${CANONICAL_READ_VERSION},"validationStatus":"${statusTail[c.status[i] as number]}`, 'utf8');
      meterPieces[key] = m;
    }
    const need = a.length + m.length + 18;
    if (end + need > lines.length) lines = grown(lines, end, end + need);
    lines.set(a, end);
    end += a.length;
    lines.set(m, end);
    end += m.length;
    end = putDigits(lines, end, c.wh[i] as number);
    lines[end++] = 0x7d; // }
    if (i + 1 < c.count) lines[end++] = 0x0a;
  }
  return batchRootOfCanonicalLines(lines.subarray(0, end), c.count);
}

/**
 * meter-batches.v1 in Avro binary: the record's fields in schema order, strings and bytes as
 * a zig-zag length then the bytes, longs and ints zig-zag varints, enums their index, unions
 * their branch index then the value. The reads array is one block whose count is written
 * negated and followed by the block's size in bytes, as the Avro specification allows ("Complex
 * Types", Arrays), so a reader that skips the reads (the notary reads only the header and body)
 * steps over them at once instead of walking every read; avsc and the loader's decoder read both forms.
 */
function avroValue(h: CompactBatchHeader, c: CompactCsvColumns, schemaId: number, batchRoot: string): Buffer {
  const meterBytes = c.meterIds.map((id) => {
    const utf8 = Buffer.from(id, 'utf8');
    const out = Buffer.allocUnsafe(utf8.length + 10);
    const at = putLong(out, 0, utf8.length);
    utf8.copy(out, at);
    return out.subarray(0, at + utf8.length);
  });
  let maxMeter = 0;
  for (const b of meterBytes) maxMeter = Math.max(maxMeter, b.length);
  const headerBound = 5 + 5 * 10 + 4 * (h.batchId.length + h.discomId.length + h.headEndId.length + h.bodySha256.length + h.signature.length) + 1 + h.body.length;
  const bound = headerBound + READS_BLOCK_ROOM + c.count * (maxMeter + 10 + 1 + 10 + 2) + 1 + 1 + 1 + 10 + batchRoot.length + 1 + 10;
  if (bound > avro.length) avro = Buffer.allocUnsafe(Math.max(bound, 2 * avro.length));
  const out = avro;
  out[0] = 0; // Confluent framing: magic byte, then the schema id (big-endian)
  out.writeInt32BE(schemaId, 1);
  let at = 5;
  at = putString(out, at, h.batchId);
  at = putString(out, at, h.discomId);
  at = putString(out, at, h.headEndId);
  at = putLong(out, at, h.receivedAt);
  out[at++] = FORMAT_BYTE;
  at = putString(out, at, h.bodySha256);
  at = putString(out, at, h.signature);
  at = putLong(out, at, h.body.length);
  out.set(h.body, at);
  at += h.body.length;
  // reads: room for the block's count and size, written once the items are
  const readsAt = at;
  if (c.count > 0) at += READS_BLOCK_ROOM;
  const itemsAt = at;
  let blockMs = Number.NaN;
  const blockVarint = Buffer.alloc(10);
  let blockLength = 0;
  for (let i = 0; i < c.count; i++) {
    const m = meterBytes[c.meter[i] as number] as Buffer;
    out.set(m, at);
    at += m.length;
    const ms = c.blockStart[i] as number;
    if (ms !== blockMs) {
      blockLength = putLong(blockVarint, 0, ms);
      blockMs = ms;
    }
    for (let k = 0; k < blockLength; k++) out[at++] = blockVarint[k] as number;
    out[at++] = CHANNEL_BYTES[c.channel[i] as number] as number;
    at = putLong(out, at, c.wh[i] as number);
    out[at++] = STATUS_BYTES[c.status[i] as number] as number;
    out[at++] = SOURCE_BYTE;
  }
  const itemsEnd = at;
  out[at++] = 0; // end of the reads array
  out[at++] = 0; // rejected: an empty array
  out[at++] = 2; // batchRoot: the union's string branch
  at = putString(out, at, batchRoot);
  out[at++] = 2; // readCount: the union's int branch
  at = putLong(out, at, c.count);
  // A copy out of the scratch (which is reused), closing the gap left for the block's count and size.
  const blockHead = c.count === 0 ? 0 : putLong(readsBlockHead, putLong(readsBlockHead, 0, -c.count), itemsEnd - itemsAt);
  const record = Buffer.allocUnsafe(readsAt + blockHead + (at - itemsAt));
  out.copy(record, 0, 0, readsAt);
  readsBlockHead.copy(record, readsAt, 0, blockHead);
  out.copy(record, readsAt + blockHead, itemsAt, at);
  return record;
}

/** Two Avro longs at most: the reads block's negated count and its size in bytes. */
const READS_BLOCK_ROOM = 20;
const readsBlockHead = Buffer.alloc(READS_BLOCK_ROOM);

function grown(buf: Buffer, used: number, need: number): Buffer {
  const next = Buffer.allocUnsafe(Math.max(need, 2 * buf.length));
  buf.copy(next, 0, 0, used);
  return next;
}

const digits = new Uint8Array(16);
/** A non-negative integer below 10^15 in decimal, as `${n}` writes it. */
function putDigits(out: Buffer, at: number, n: number): number {
  let k = 0;
  do {
    const q = Math.floor(n / 10);
    digits[k++] = 0x30 + (n - q * 10);
    n = q;
  } while (n > 0);
  while (k > 0) out[at++] = digits[--k] as number;
  return at;
}

/** An Avro long (or int): zig-zag, then 7 bits a byte, low first. Exact for safe integers. */
function putLong(out: Buffer, at: number, n: number): number {
  let z = n >= 0 ? n * 2 : -n * 2 - 1;
  while (z >= 0x80) {
    out[at++] = (z % 0x80) | 0x80;
    z = Math.floor(z / 0x80);
  }
  out[at++] = z;
  return at;
}

function putString(out: Buffer, at: number, s: string): number {
  const length = Buffer.byteLength(s, 'utf8');
  at = putLong(out, at, length);
  return at + out.write(s, at, length, 'utf8');
}
