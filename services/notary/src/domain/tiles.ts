import { RFC6962_SHA256, type NodeId } from '@ies/merkle';

/**
 * Tile layout of the stored log, after C2SP tlog-tiles (height 8): tile (t, n) holds the
 * hashes of level 8t with indices [256n, 256n + 256), 32 bytes each, in order. Level 0 tiles
 * hold the leaf hashes. A perfect node at any level is therefore one contiguous slice of one
 * tile (at most 128 hashes, folded here), so a proof of log n hashes costs O(log n) reads.
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

/**
 * The stored hashes a log needs once it grows from `from` to `to` leaves: every leaf hash
 * and every perfect node at a tile level (8, 16, …) that became complete, as (level, index).
 */
export function newStoredNodes(from: number, to: number): NodeId[] {
  const ids: NodeId[] = [];
  for (let level = 0; 2 ** level <= to; level += TILE_HEIGHT) {
    const width = 2 ** level;
    for (let index = Math.floor(from / width); (index + 1) * width <= to; index++) ids.push({ level, index });
  }
  return ids;
}
