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
  readonly meterId: string;
  /** The id's bytes (ASCII: compactCsvColumns takes no other). */
  readonly bytes: Uint8Array;
  readonly hash: number;
  readonly maxImportWh: number;
  readonly maxExportWh: number;
  /** The batch that last gave this meter an index (compactCsvColumns' per-batch numbering). */
  stamp: number;
  index: number;
}

/** Entries at most; past it the table starts over (a head-end of that many meters pays one registry lookup per meter again). */
const MAX_ENTRIES = 1 << 21;

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

  /** A number no earlier batch had: compactCsvColumns numbers a batch's meters under it. */
  nextBatch(): number {
    this.batches = (this.batches + 1) | 0;
    return this.batches;
  }

  /** The meter whose id is `body[from, to)` with rolling hash `hash`, or undefined. */
  find(hash: number, body: Uint8Array, from: number, to: number): MeterVerdict | undefined {
    const mask = this.slots.length - 1;
    for (let at = mix(hash) & mask; ; at = (at + 1) & mask) {
      const held = this.slots[at] as number;
      if (held === -1) return undefined;
      const e = this.entries[held] as MeterVerdict;
      if (e.hash === hash && sameBytes(e.bytes, body, from, to)) return e;
    }
  }

  /** Keeps an admitted meter; the caller found it missing. */
  add(meterId: string, bytes: Uint8Array, hash: number, maxImportWh: number, maxExportWh: number): MeterVerdict {
    if (this.entries.length >= MAX_ENTRIES) {
      this.entries = [];
      this.slots = new Int32Array(256).fill(-1);
    }
    const e: MeterVerdict = { meterId, bytes, hash, maxImportWh, maxExportWh, stamp: 0, index: 0 };
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
    let at = mix((this.entries[k] as MeterVerdict).hash) & mask;
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
 * The slot of a hash: murmur3's finaliser with a seed drawn per process, so ids that share
 * low bits of the rolling hash still spread. The seed decides only the layout, never an answer.
 */
const SEED = Math.floor(Math.random() * 0x1_0000_0000) | 0;
function mix(h: number): number {
  let x = h ^ SEED;
  x ^= x >>> 16;
  x = Math.imul(x, 0x85ebca6b);
  x ^= x >>> 13;
  x = Math.imul(x, 0xc2b2ae35);
  return x ^ (x >>> 16);
}

export function sameBytes(id: Uint8Array, body: Uint8Array, from: number, to: number): boolean {
  if (id.length !== to - from) return false;
  for (let i = 0; i < id.length; i++) if (id[i] !== body[from + i]) return false;
  return true;
}
