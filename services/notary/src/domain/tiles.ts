import { TILE_HEIGHT, type NodeId } from '@ies/merkle';

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
