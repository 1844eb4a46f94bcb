/**
 * The meters a compact CSV batch may carry reads of, found by the bytes of their ids: what
 * `compactCsvColumns` asks the registry once per distinct meter of a batch. Kept between the
 * batches of one head-end (`IngestContext.meterVerdicts`), a meter costs one lookup here
 * instead of a string, a registry lookup and its plausibility limits per batch. That matters
 * most for the usual live batch, every meter of a head-end with one block each, where every
 * row is a distinct meter.
 *
 * Only meters the registry admits for the context (registered to its DISCOM, to its head-end
 * or to none, an id JSON would not escape) are kept, with their plausibility limits at its
 * margin. Whoever keeps a `MeterVerdicts` between batches starts a new one whenever the
 * registry's meters change (`RegistryState.meterGeneration`), so an entry never outlives
 * the registry state it was read from.
 */
export interface MeterVerdict {
  /** The id, printable ASCII (compactCsvColumns takes no other): one character per byte of the body. */
  readonly meterId: string;
  readonly hash: number;
  readonly maxImportWh: number;
  readonly maxExportWh: number;
  /** The batch that last gave this meter an index (compactCsvColumns' per-batch numbering). */
  stamp: number;
  index: number;
}

/**
 * Entries at most, checked as a batch starts (never during one: compactCsvColumns numbers a
 * batch's meters by entry), so a table holds at most this many plus one batch's meters. A
 * table past it starts over, and a head-end of more meters than this pays a registry lookup
 * per meter and batch again. An entry is about 130 bytes (the object, the id and a slot).
 */
export const MAX_KEPT_METERS = 1 << 20;

export class MeterVerdicts {
  private slots = new Int32Array(256).fill(-1);
  private entries: MeterVerdict[] = [];
  private batches = 0;

  constructor(
    readonly discomId: string,
    readonly senderId: string | undefined,
    readonly plausibilityMargin: number,
  ) {}

  /** How many meters are kept. */
  get size(): number {
    return this.entries.length;
  }

  /**
   * A number no earlier batch had (entries start at 0, batches at 1; a double counts exactly
   * far past any process's batches): compactCsvColumns numbers a batch's meters under it. A
   * table past MAX_KEPT_METERS starts over here, between batches.
   */
  nextBatch(): number {
    if (this.entries.length >= MAX_KEPT_METERS) {
      this.entries = [];
      this.slots = new Int32Array(256).fill(-1);
    }
    this.batches += 1;
    return this.batches;
  }

  /** The meter whose id is `body[from, to)` with rolling hash `hash`, or undefined. */
  find(hash: number, body: Uint8Array, from: number, to: number): MeterVerdict | undefined {
    const mask = this.slots.length - 1;
    for (let at = spread(hash) & mask; ; at = (at + 1) & mask) {
      const held = this.slots[at] as number;
      if (held === -1) return undefined;
      const e = this.entries[held] as MeterVerdict;
      if (e.hash === hash && sameAsciiId(e.meterId, body, from, to)) return e;
    }
  }

  /** Keeps an admitted meter; the caller found it missing. */
  add(meterId: string, hash: number, maxImportWh: number, maxExportWh: number): MeterVerdict {
    const e: MeterVerdict = { meterId, hash, maxImportWh, maxExportWh, stamp: 0, index: 0 };
    this.entries.push(e);
    if (2 * this.entries.length > this.slots.length) {
      this.slots = new Int32Array(2 * this.slots.length).fill(-1);
      for (let k = 0; k < this.entries.length; k += 1) this.place(k);
    } else {
      this.place(this.entries.length - 1);
    }
    return e;
  }

  private place(k: number): void {
    const mask = this.slots.length - 1;
    let at = spread((this.entries[k] as MeterVerdict).hash) & mask;
    while (this.slots[at] !== -1) at = (at + 1) & mask;
    this.slots[at] = k;
  }
}

/** The rolling hash `compactCsvColumns` computes over an id's bytes (h × 31 + byte, 32-bit). */
export function idHash(body: Uint8Array, from: number, to: number): number {
  let h = 0;
  for (let i = from; i < to; i++) h = (Math.imul(h, 31) + (body[i] as number)) | 0;
  return h;
}

/**
 * A hash spread over all 32 bits for an open-addressed table: murmur3's finaliser with a seed
 * drawn per process, so keys that share low bits still spread, and a sender cannot choose keys
 * that pile into one bucket (a quadratic probe) the way it could against a fixed hash. The
 * seed decides only a table's layout, never an answer.
 */
const SEED = Math.floor(Math.random() * 0x1_0000_0000) | 0;
export function spread(h: number): number {
  let x = h ^ SEED;
  x ^= x >>> 16;
  x = Math.imul(x, 0x85ebca6b);
  x ^= x >>> 13;
  x = Math.imul(x, 0xc2b2ae35);
  return x ^ (x >>> 16);
}

/** Whether the ASCII id (one character per byte, as compactCsvColumns' ids are) is the bytes body[from, to). */
export function sameAsciiId(id: string, body: Uint8Array, from: number, to: number): boolean {
  if (id.length !== to - from) return false;
  for (let i = 0; i < id.length; i++) if (id.charCodeAt(i) !== body[from + i]) return false;
  return true;
}
