import type { DrEventRecord } from '../event-store.js';
import { toBaselineReport, toPerformanceReport, type BaselineRow, type PerformanceView } from './projection.js';

/** Where the VTN's reports come from: the DR tables and the reads (the same the DR routes serve). */
export interface ReportSources {
  baselines: (discomId: string, eventId: string) => Promise<BaselineRow[]>;
  performance: (discomId: string, eventId: string) => Promise<PerformanceView | undefined>;
  /** Latest usable import Wh per meter and interval of the event (what performance was measured on). */
  usage: (record: DrEventRecord, meterIds: readonly string[]) => Promise<Map<string, (number | null)[]>>;
}

/** The reports the VTN makes of one event: its baselines, then its latest performance version (none before it is baselined). */
export async function vtnReportsOf(src: ReportSources, r: DrEventRecord): Promise<Record<string, unknown>[]> {
  if (r.state === 'DRAFT' || r.state === 'CANCELLED') return [];
  const baselines = await src.baselines(r.discomId, r.eventId);
  if (baselines.length === 0) return [];
  const baselinedAt = r.history.find((h) => h.state === 'BASELINED')?.at ?? r.history.at(-1)!.at;
  const out = [toBaselineReport(r, baselines, baselinedAt)];
  const perf = await src.performance(r.discomId, r.eventId);
  if (perf) out.push(toPerformanceReport(r, perf, baselines, await src.usage(r, perf.meters.map((m) => m.meterId))));
  return out;
}
