/**
 * A growable buffer in ClickHouse's RowBinary encoding: little-endian fixed-width numbers,
 * strings as LEB128 length + bytes, arrays as LEB128 count + elements.
 */
export class RowBinaryWriter {
  private buf: Buffer;
  private pos = 0;

  constructor(initialBytes = 64 * 1024) {
    this.buf = Buffer.allocUnsafe(initialBytes);
  }

  get length(): number {
    return this.pos;
  }

  /** The bytes written so far (a view, valid until the next write). */
  bytes(): Buffer {
    return this.buf.subarray(0, this.pos);
  }

  private ensure(extra: number): void {
    if (this.pos + extra <= this.buf.length) return;
    const next = Buffer.allocUnsafe(Math.max(this.buf.length * 2, this.pos + extra));
    this.buf.copy(next, 0, 0, this.pos);
    this.buf = next;
  }

  int8(v: number): void {
    this.ensure(1);
    this.buf[this.pos++] = v & 0xff;
  }

  uint32(v: number): void {
    this.ensure(4);
    this.put32(v);
  }

  // Byte stores instead of Buffer#writeUInt32LE: no bounds checks, several times faster here.
  private put32(v: number): void {
    const b = this.buf;
    let p = this.pos;
    b[p++] = v & 0xff;
    b[p++] = (v >>> 8) & 0xff;
    b[p++] = (v >>> 16) & 0xff;
    b[p++] = (v >>> 24) & 0xff;
    this.pos = p;
  }

  /** A safe integer as UInt64. */
  uint64(v: number): void {
    this.ensure(8);
    this.put32(v >>> 0);
    this.put32(Math.floor(v / 4294967296));
  }

  /** A safe integer as Int64 (two's complement). */
  int64(v: number): void {
    this.ensure(8);
    const lo = v >>> 0;
    this.put32(lo);
    this.put32(((v - lo) / 4294967296) | 0);
  }

  private varint(n: number): void {
    while (n >= 0x80) {
      this.buf[this.pos++] = (n & 0x7f) | 0x80;
      n >>>= 7;
    }
    this.buf[this.pos++] = n;
  }

  string(s: string): void {
    const len = s.length;
    // Short ASCII strings (ids, enum symbols) are copied by hand: a native Buffer#write
    // call costs more than the copy. UTF-8 needs at most 3 bytes per UTF-16 unit, so below
    // 43 units the length fits one LEB128 byte either way.
    if (len < 43) {
      this.ensure(1 + len * 3);
      const b = this.buf;
      const start = this.pos + 1;
      let i = 0;
      for (; i < len; i += 1) {
        const c = s.charCodeAt(i);
        if (c >= 0x80) break;
        b[start + i] = c;
      }
      const n = i === len ? len : b.write(s, start, 'utf8');
      b[this.pos] = n;
      this.pos = start + n;
      return;
    }
    const n = Buffer.byteLength(s, 'utf8');
    this.ensure(5 + n);
    this.varint(n);
    this.pos += this.buf.write(s, this.pos, 'utf8');
  }

  /** Raw bytes as a ClickHouse String. */
  blob(b: Uint8Array): void {
    this.ensure(5 + b.length);
    this.varint(b.length);
    this.buf.set(b, this.pos);
    this.pos += b.length;
  }

  strings(values: readonly string[]): void {
    this.ensure(5);
    this.varint(values.length);
    for (const v of values) this.string(v);
  }
}
