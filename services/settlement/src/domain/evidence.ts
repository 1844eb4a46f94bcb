/** The evidence lists of statements and side allocations: checkpoints sorted and merged. */
import type { CheckpointRef } from '@ies/verify';

export function compareCheckpoints(a: CheckpointRef, b: CheckpointRef): number {
  if (a.origin !== b.origin) return a.origin < b.origin ? -1 : 1;
  if (a.size !== b.size) return a.size - b.size;
  return a.rootHash < b.rootHash ? -1 : a.rootHash > b.rootHash ? 1 : 0;
}

/** Sorted, without duplicates, as plain objects (so canonical JSON sees only these members). */
export function mergeEvidence(...lists: readonly (readonly CheckpointRef[])[]): CheckpointRef[] {
  const unique = new Map<string, CheckpointRef>();
  for (const list of lists) {
    for (const c of list) {
      const key = `${c.size}\u0000${c.rootHash}\u0000${c.origin}`;
      if (!unique.has(key)) unique.set(key, { origin: c.origin, size: c.size, rootHash: c.rootHash });
    }
  }
  return [...unique.values()].sort(compareCheckpoints);
}
