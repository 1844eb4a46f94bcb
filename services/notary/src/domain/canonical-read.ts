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

export function canonicalReadJson(read: PublicRead): string {
  if (!Number.isSafeInteger(read.wh)) throw new RangeError(`wh ${read.wh} is not a safe integer`);
  if (!Number.isSafeInteger(read.blockStart) || read.blockStart % 60_000 !== 0) throw new RangeError(`blockStart ${read.blockStart} is not a whole minute`);
  const members: Record<string, string | number> = {
    blockStart: new Date(read.blockStart).toISOString().replace('.000Z', 'Z'),
    channel: read.channel,
    discomId: read.discomId,
    meterId: read.meterId,
    source: read.source,
    v: CANONICAL_READ_VERSION,
    validationStatus: read.validationStatus,
    wh: read.wh,
  };
  const keys = Object.keys(members).sort();
  return `{${keys.map((k) => `${JSON.stringify(k)}:${JSON.stringify(members[k])}`).join(',')}}`;
}

export function canonicalReadBytes(read: PublicRead): Uint8Array {
  return new TextEncoder().encode(canonicalReadJson(read));
}
