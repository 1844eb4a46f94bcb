/**
 * The estimate a calendar run under the ESTIMATE missing-data policy settles a missing read
 * on. The node makes no VEE estimates of its own on ingest (a head-end's ESTIMATED reads are
 * reads like any other), so the run's estimate is this documented rule, a "like day"
 * substitution: a block of the meter's channel with no read at the cut-off is estimated as the
 * same block (same IST time of day) on the most recent of the previous ESTIMATE_LOOKBACK_DAYS
 * days that has a read of it, as known at the cut-off; when none of those days has one, the
 * block stays missing (0 Wh, the trade settled zero-and-pending). A later run settles the
 * trade on the real read.
 *
 * Hand-worked (read-estimate.test.ts): blocks [1000, −1, −1, 1000], the day before
 * [900, −1, 700, 900], two days before [800, 600, 500, 800] → [1000, 600, 700, 1000], two blocks
 * estimated, none left missing.
 */
export const ESTIMATE_LOOKBACK_DAYS = 7;

export interface EstimatedSeries {
  /** Wh per block: the read, else its estimate, else −1 (still missing). */
  readonly wh: number[];
  readonly estimated: number;
  readonly missing: number;
}

/** `day` the blocks of the day (−1 = no read); `priorDays[0]` the same blocks on the day before, `[1]` two days before, … */
export function estimateBlocks(day: ArrayLike<number>, priorDays: readonly ArrayLike<number>[]): EstimatedSeries {
  const wh: number[] = [];
  let estimated = 0;
  let missing = 0;
  for (let i = 0; i < day.length; i++) {
    const read = day[i]!;
    if (read >= 0) {
      wh.push(read);
      continue;
    }
    const like = priorDays.slice(0, ESTIMATE_LOOKBACK_DAYS).map((p) => (i < p.length ? p[i]! : -1)).find((v) => v >= 0);
    if (like === undefined) {
      missing++;
      wh.push(-1);
    } else {
      estimated++;
      wh.push(like);
    }
  }
  return { wh, estimated, missing };
}
