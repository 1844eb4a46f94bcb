/**
 * The canonical bytes of one accepted read: the leaf data of its batch's Merkle tree.
 * Anyone can rebuild them from the read's public fields alone (docs/notary-formats.md):
 * an RFC 8785 (JCS) JSON object with exactly these members, UTF-8 encoded. For objects of
 * strings and safe integers, JCS is JSON.stringify with members sorted by UTF-16 code units.
 */
export interface PublicRead {
  discomId: string;
  meterId: string;
  /** UTC epoch ms of the block start. */
  blockStart: number;
  channel: 'IMPORT' | 'EXPORT';
  wh: number;
  validationStatus: string;
  source: string;
}

/** Format version carried in every leaf, so a future encoding cannot collide with this one. */
export const CANONICAL_READ_VERSION = 1;

/** `discomId` overrides the read's own (batch records carry it once, not per read). */
export function canonicalReadJson(read: Omit<PublicRead, 'discomId'> & { discomId?: string }, discomId: string = read.discomId ?? ''): string {
  if (!Number.isSafeInteger(read.wh)) throw new RangeError(`wh ${read.wh} is not a safe integer`);
  // Members in JCS order (sorted by name), written out directly: this runs once per read on
  // the notary's hot path. canonical-read.test.ts checks it against a generic JCS encoder.
  return `{"blockStart":"${isoMinute(read.blockStart)}","channel":${word(read.channel)},"discomId":${word(discomId)},"meterId":${str(read.meterId)},"source":${word(read.source)},"v":${CANONICAL_READ_VERSION},"validationStatus":${word(read.validationStatus)},"wh":${read.wh}}`;
}

/** JSON string literal; the common case (nothing to escape) skips JSON.stringify. */
function str(s: string): string {
  // eslint-disable-next-line no-control-regex
  return /["\\\u0000-\u001f\ud800-\udfff]/.test(s) ? JSON.stringify(s) : `"${s}"`;
}

/** Enum values and DISCOM ids repeat on every read: remember which ones need no escaping. */
const plainWords = new Set<string>();
function word(s: string): string {
  if (plainWords.has(s)) return `"${s}"`;
  const out = str(s);
  if (out.length === s.length + 2 && plainWords.size < 1024) plainWords.add(s);
  return out;
}

let lastMs = Number.NaN;
let lastIso = '';
/** `YYYY-MM-DDTHH:MM:SSZ`; consecutive reads of a batch mostly share a block start. */
function isoMinute(ms: number): string {
  if (ms === lastMs) return lastIso;
  if (!Number.isSafeInteger(ms) || ms % 60_000 !== 0) throw new RangeError(`blockStart ${ms} is not a whole minute`);
  lastIso = new Date(ms).toISOString().replace('.000Z', 'Z');
  lastMs = ms;
  return lastIso;
}

export function canonicalReadBytes(read: PublicRead): Uint8Array {
  return new TextEncoder().encode(canonicalReadJson(read));
}
