// Settlement's reads of the loader's `reads` table, through @ies/reads (the only reader of
// that table). The reconciler calls these two by name; their signatures are unchanged.
import type { ClickHouseClient } from '@ies/clickhouse';
import { loadLatestSeries, loadLatestSeriesOfMany, readFingerprints as readsFingerprints, USABLE_STATUSES, type LoadedSeries, type SeriesRequest } from '@ies/reads';
import type { Channel } from './domain/allocation.js';

export type { LoadedSeries, SeriesRequest };

/** Statuses whose value settlement uses: the one definition in @ies/reads (VALID, ESTIMATED, MANUAL). */
export const SETTLEMENT_USABLE_STATUSES: readonly string[] = USABLE_STATUSES;

/**
 * The latest version of each read — the greatest (received_at_ms, batch_id) — per meter and
 * 15-minute block of one channel, for blocks in [fromMs, toMs): wh −1 where no usable read.
 * Every meter asked for is in the answer, all −1 when it has no reads.
 */
export function loadSideReads(ch: ClickHouseClient, discomId: string, channel: Channel, meterIds: readonly string[], fromMs: number, toMs: number, receivedByMs?: number): Promise<Map<string, LoadedSeries>> {
  return loadLatestSeries(ch, discomId, channel, meterIds, fromMs, toMs, receivedByMs);
}

/** loadSideReads for several DISCOMs and channels in one query (one pass over `reads`): one answer per request, in order. */
export function loadSidesReads(ch: ClickHouseClient, requests: readonly SeriesRequest[], fromMs: number, toMs: number): Promise<Map<string, LoadedSeries>[]> {
  return loadLatestSeriesOfMany(ch, requests, fromMs, toMs);
}

/**
 * What a meter channel's reads are, per UTC day of [fromMs, toMs), without the reads. The
 * sweep compares it with what it saw last time, so it loads the reads only of meters that changed.
 */
export function readFingerprints(ch: ClickHouseClient, discomId: string, channel: Channel, meterIds: readonly string[], fromMs: number, toMs: number): Promise<Map<string, Map<number, string>>> {
  return readsFingerprints(ch, discomId, channel, meterIds, fromMs, toMs);
}
