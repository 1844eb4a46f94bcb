import { HASH_SIZE, TILE_WIDTH, hashesAtTileLevel, type TileResource } from '@ies/merkle';

/**
 * The HTTP layout of a C2SP tiled log (c2sp.org/tlog-tiles): which resource a path under
 * `<prefix>/tile/` names, whether a tree of a given size holds it, and the entry-bundle
 * encoding. Tile (L, N) holds the level-8L hashes [256N, 256N + 256), exactly the tiles the
 * notary stores (@ies/merkle tiles), so a served tile is a prefix of a stored one. Paths are
 * written by @ies/merkle's tilePath.
 */

/** Levels 0–63, no leading zeros; `<N>` as x-prefixed 3-digit elements; `.p/<W>` with W 1–255, no leading zeros. */
const TILE_PATH = /^(entries|0|[1-9]\d?)\/((?:x\d{3}\/)*\d{3})(?:\.p\/([1-9]\d{0,2}))?$/;

/**
 * The resource a path after `tile/` names, or why it names none. Only the canonical form is
 * accepted (one URL per resource, as a static file tree would have it): no leading `x000/`.
 */
export function parseTilePath(rest: string): { ok: true; resource: TileResource } | { ok: false; reason: string } {
  const m = TILE_PATH.exec(rest);
  if (!m) return { ok: false, reason: `tile/${rest} is not tile/<L>/<N>[.p/<W>] or tile/entries/<N>[.p/<W>] (L 0–63, N as x001/x234/067, W 1–255)` };
  const groups = m[2]!.split('/').map((g) => g.replace(/^x/, ''));
  if (groups.length > 1 && groups[0] === '000') return { ok: false, reason: `tile index ${m[2]} has a leading x000 element (not canonical)` };
  if (groups.length > 5) return { ok: false, reason: `tile index ${m[2]} is beyond any log this notary keeps` };
  const index = Number(groups.join(''));
  const width = m[3] === undefined ? undefined : Number(m[3]);
  if (width !== undefined && width > 255) return { ok: false, reason: `partial tile width ${width} must be 1 to 255` };
  if (m[1] === 'entries') return { ok: true, resource: { kind: 'entries', index, width } };
  const level = Number(m[1]);
  if (level > 63) return { ok: false, reason: `tile level ${level} must be 0 to 63` };
  return { ok: true, resource: { kind: 'tile', level, index, width } };
}

/**
 * Whether a tree of `size` entries holds the resource: a full tile or bundle once its 256
 * hashes (or entries) exist; a partial one of width W once its first W do. A partial tile is
 * a prefix of the full tile that replaces it, so it stays valid (and immutable) as the tree grows.
 */
export function treeHolds(resource: TileResource, size: number): boolean {
  const level = resource.kind === 'entries' ? 0 : resource.level;
  const needed = resource.index * TILE_WIDTH + (resource.width ?? TILE_WIDTH);
  return needed <= hashesAtTileLevel(level, size);
}

/** Bytes of a tile of `width` hashes (a full tile: 8,192). */
export function tileBytes(width: number): number {
  return width * HASH_SIZE;
}

/** The largest entry a 16-bit length prefix can carry. */
export const MAX_ENTRY_BYTES = 0xffff;

/** An entry bundle: each entry with its big-endian uint16 length, in log order. */
export function encodeEntryBundle(entries: readonly Uint8Array[]): Buffer {
  const parts: Uint8Array[] = [];
  for (const e of entries) {
    if (e.length > MAX_ENTRY_BYTES) throw new RangeError(`a log entry of ${e.length} bytes does not fit a 16-bit length prefix (max ${MAX_ENTRY_BYTES})`);
    parts.push(Uint8Array.of(e.length >> 8, e.length & 0xff), e);
  }
  return Buffer.concat(parts);
}

/** The entries of a bundle (the inverse of encodeEntryBundle), or why the bytes are not one. */
export function decodeEntryBundle(bytes: Uint8Array): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (let at = 0; at < bytes.length; ) {
    if (at + 2 > bytes.length) throw new RangeError(`entry bundle ends inside a length prefix at byte ${at}`);
    const length = (bytes[at]! << 8) | bytes[at + 1]!;
    if (at + 2 + length > bytes.length) throw new RangeError(`entry at byte ${at} claims ${length} bytes; ${bytes.length - at - 2} remain`);
    out.push(bytes.subarray(at + 2, at + 2 + length));
    at += 2 + length;
  }
  return out;
}
