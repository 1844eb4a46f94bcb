import type { ClickHouseClient } from '@ies/clickhouse';
import { blockIndexOf } from '@ies/units';
import { readBaselines, readPerformance } from './dr-tables.js';
import type { DrEventRecord } from './event-store.js';
import { loadMeterHistory } from './history.js';
import type { PerformanceView } from './openadr/projection.js';
import type { ReportSources } from './openadr/vtn-reports.js';

/** The VTN's reports read from the DR tables and the reads (the VTN's routes and the DR service's notifier). */
export function reportSources(ch: ClickHouseClient): ReportSources {
  return {
    baselines: (discomId, eventId) => readBaselines(ch, discomId, eventId),
    performance: async (discomId, eventId) => (await readPerformance(ch, discomId, eventId)) as unknown as PerformanceView | undefined,
    usage: async (record: DrEventRecord, meterIds: readonly string[]) => {
      const day = record.event.eventDay;
      const history = await loadMeterHistory(ch, { discomId: record.discomId, meterIds, fromDay: day, toDay: day });
      return new Map(meterIds.map((m) => [m, record.event.intervals.map((i) => history.get(m)?.get(day)?.[blockIndexOf(i.intervalStart)] ?? null)]));
    },
  };
}
