import { formatTileIndex } from '@ies/merkle';

/** The full (256-wide) level-0 tiles and entry bundles a log of `size` entries has, as paths under `<prefix>/`. */
export function fullTilePaths(size: number): { tiles: string[]; bundles: string[] } {
  const full = Math.floor(size / 256);
  const tiles: string[] = [];
  const bundles: string[] = [];
  for (let i = 0; i < full; i += 1) {
    tiles.push(`tile/0/${formatTileIndex(i)}`);
    bundles.push(`tile/entries/${formatTileIndex(i)}`);
  }
  return { tiles, bundles };
}
