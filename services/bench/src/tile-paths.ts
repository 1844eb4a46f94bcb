/**
 * Where a tiled log's resources live, written from c2sp.org/tlog-tiles alone (the bench is a
 * client of the log like any other, so it does not borrow the notary's layout code): `<N>` in
 * three-digit groups, every group but the last prefixed with `x` (1234067 → `x001/x234/067`).
 */
export function tileIndexPath(index: number): string {
  if (!Number.isSafeInteger(index) || index < 0) throw new Error(`a tile index is a non-negative integer, not ${index}`);
  const groups: string[] = [];
  let n = index;
  do {
    groups.unshift(String(n % 1000).padStart(3, '0'));
    n = Math.floor(n / 1000);
  } while (n > 0);
  return groups.map((g, i) => (i < groups.length - 1 ? `x${g}` : g)).join('/');
}

/** The full (256-wide) level-0 tiles and entry bundles a log of `size` entries has, as paths under `<prefix>/`. */
export function fullTilePaths(size: number): { tiles: string[]; bundles: string[] } {
  const full = Math.floor(size / 256);
  const tiles: string[] = [];
  const bundles: string[] = [];
  for (let i = 0; i < full; i += 1) {
    tiles.push(`tile/0/${tileIndexPath(i)}`);
    bundles.push(`tile/entries/${tileIndexPath(i)}`);
  }
  return { tiles, bundles };
}

/** The tree size on the second line of a checkpoint note (c2sp.org/tlog-checkpoint). */
export function checkpointSize(note: string): number {
  const line = note.split('\n')[1] ?? '';
  if (!/^(0|[1-9][0-9]*)$/.test(line)) throw new Error(`the checkpoint's second line is not a tree size: ${JSON.stringify(line.slice(0, 40))}`);
  return Number(line);
}

/** Nearest-rank percentile of an ascending list (NaN when empty). */
export function percentileOf(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(p * sorted.length) - 1))] as number;
}
