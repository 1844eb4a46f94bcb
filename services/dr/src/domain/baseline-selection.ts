/**
 * Selection among the valid like days: ALL, the HIGHEST n, or the MIDDLE after dropping the
 * lowest and highest, ranked by event-window energy.
 */
import type { Selection } from './policy-pack.js';

/**
 * Writes into `order` the indexes 0…count-1 ranked by (event-window energy, then recency):
 * the lowest first, and between equal energies the older day first (`recency` is the
 * position in the most-recent-first list, so a larger one is older). Returns the range
 * [from, to) of `order` the rule keeps. Insertion sort: a dozen days at most.
 */
export function selectDays(selection: Selection, energiesWh: ArrayLike<number>, recency: ArrayLike<number>, count: number, order: Int32Array): { from: number; to: number } {
  for (let i = 0; i < count; i++) {
    let k = i;
    if (selection.rule !== 'ALL') {
      for (; k > 0; k--) {
        const prev = order[k - 1]!;
        if (energiesWh[prev]! < energiesWh[i]! || (energiesWh[prev] === energiesWh[i] && recency[prev]! > recency[i]!)) break;
        order[k] = prev;
      }
    }
    order[k] = i;
  }
  if (selection.rule === 'HIGHEST') return { from: count - selection.count, to: count };
  if (selection.rule === 'MIDDLE') return { from: selection.dropLowest, to: count - selection.dropHighest };
  return { from: 0, to: count };
}
