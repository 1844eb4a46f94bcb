import { RFC6962_SHA256 } from './hasher.js';
import type { NodeId } from './node-ids.js';
import type { GetNodes } from './proof.js';

/**
 * The tiles of a C2SP tiled log (c2sp.org/tlog-tiles, height 8): tile (t, n) holds the hashes
 * of tree level 8t with indices [256n, 256n + 256), 32 bytes each, in order; level-0 tiles hold
 * the leaf hashes. A perfect node at any level is therefore one contiguous slice of one tile
 * (at most 128 hashes, folded here), so a proof in a log of n entries costs O(log n) tiles.
 * The notary stores its log this way and serves it under /logs/<discom>/; any client (the
 * console in a browser, for one) can build inclusion and consistency proofs from the tiles.
 */
export const TILE_HEIGHT = 8;
export const TILE_WIDTH = 2 ** TILE_HEIGHT;
export const HASH_SIZE = 32;

export interface TileSlice {
  readonly tileLevel: number;
  readonly tileIndex: number;
  /** First hash within the tile. */
  readonly offset: number;
  readonly count: number;
}

/** Where the hashes that make up perfect node (level, index) are stored. */
export function tileSliceOf(id: NodeId): TileSlice {
  const tileLevel = Math.floor(id.level / TILE_HEIGHT);
  const count = 2 ** (id.level - tileLevel * TILE_HEIGHT);
  const first = id.index * count;
  return { tileLevel, tileIndex: Math.floor(first / TILE_WIDTH), offset: first % TILE_WIDTH, count };
}

/** The node's hash from its tile slice (`count` stored hashes, concatenated). */
export function foldTileSlice(bytes: Uint8Array, slice: TileSlice): Uint8Array {
  if (bytes.length !== slice.count * HASH_SIZE) throw new RangeError(`tile ${slice.tileLevel}/${slice.tileIndex} returned ${bytes.length} bytes at hash ${slice.offset}, expected ${slice.count * HASH_SIZE}`);
  let level: Uint8Array[] = [];
  for (let i = 0; i < slice.count; i++) level.push(bytes.subarray(i * HASH_SIZE, (i + 1) * HASH_SIZE));
  while (level.length > 1) {
    const up: Uint8Array[] = [];
    for (let i = 0; i < level.length; i += 2) up.push(RFC6962_SHA256.hashChildren(level[i]!, level[i + 1]!));
    level = up;
  }
  return level[0]!;
}

export type TileResource =
  | { readonly kind: 'tile'; readonly level: number; readonly index: number; readonly width: number | undefined }
  | { readonly kind: 'entries'; readonly index: number; readonly width: number | undefined };

/** `<N>` in the tlog-tiles form: 1234067 → `x001/x234/067`, 5 → `005`. */
export function formatTileIndex(index: number): string {
  if (!Number.isSafeInteger(index) || index < 0) throw new RangeError(`tile index ${index} is not a non-negative integer`);
  const groups: string[] = [];
  let n = index;
  do {
    groups.unshift(String(n % 1000).padStart(3, '0'));
    n = Math.floor(n / 1000);
  } while (n > 0);
  return groups.map((g, i) => (i < groups.length - 1 ? `x${g}` : g)).join('/');
}

/** The path below `<prefix>/` of a tile or entry bundle (`tile/0/x001/234.p/7`, `tile/entries/000`). */
export function tilePath(resource: TileResource): string {
  const what = resource.kind === 'entries' ? 'entries' : String(resource.level);
  return `tile/${what}/${formatTileIndex(resource.index)}${resource.width === undefined ? '' : `.p/${resource.width}`}`;
}

/** How many hashes of tile level `level` a tree of `size` entries has (level 0: leaves; level L: full subtrees of 256^L leaves). */
export function hashesAtTileLevel(level: number, size: number): number {
  return Math.floor(size / TILE_WIDTH ** level);
}

/**
 * Proof nodes read from a tiled log of `size` entries: each node's tile is fetched once (as
 * `fetchTile(path)`, the path below the log's prefix, e.g. `tile/0/x001/234.p/7`), full or
 * as the partial tile that a tree of `size` holds, and its slice folded. For
 * consistencyProofFromNodes / inclusionProofFromNodes with any size ≤ `size`. The tiles are
 * not trusted: a proof built from wrong hashes fails against the signed roots.
 */
export function tileNodeReader(size: number, fetchTile: (path: string) => Promise<Uint8Array>): GetNodes {
  const tiles = new Map<string, Promise<Uint8Array>>();
  return async (ids) => Promise.all(ids.map(async (id) => {
    const slice = tileSliceOf(id);
    const width = Math.min(TILE_WIDTH, hashesAtTileLevel(slice.tileLevel, size) - slice.tileIndex * TILE_WIDTH);
    if (slice.offset + slice.count > width) throw new RangeError(`node ${id.level}:${id.index} is not in a tree of ${size} entries`);
    const path = tilePath({ kind: 'tile', level: slice.tileLevel, index: slice.tileIndex, width: width === TILE_WIDTH ? undefined : width });
    let tile = tiles.get(path);
    if (tile === undefined) tiles.set(path, (tile = fetchTile(path)));
    const bytes = await tile;
    if (bytes.length !== width * HASH_SIZE) throw new RangeError(`${path} has ${bytes.length} bytes, expected ${width * HASH_SIZE}`);
    return foldTileSlice(bytes.subarray(slice.offset * HASH_SIZE, (slice.offset + slice.count) * HASH_SIZE), slice);
  }));
}
