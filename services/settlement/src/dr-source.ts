import type { ClickHouseClient } from '@ies/clickhouse';
import { readPerformance, readPerformanceTotalsAsOf, type DrEventRecord, type DrEventStore } from '@ies/dr/events';
import type { DrEventSummary, DrPerformanceTotals, DrSource } from './dr-lines.js';

/** DR inputs of statements from the DR service's own stores: events in Redis, performance in ClickHouse. */
export function drSourceOf(events: Pick<DrEventStore, 'eventsOnDay' | 'get'>, ch: ClickHouseClient): DrSource {
  const summary = (r: DrEventRecord): DrEventSummary => ({ eventId: r.eventId, aggregatorId: r.aggregatorId, eventDay: r.event.eventDay, state: r.state, history: r.history.map((h) => ({ state: h.state, at: h.at })) });
  return {
    eventsOnDay: async (discomId, day) => (await events.eventsOnDay(discomId, day)).map(summary),
    event: async (discomId, eventId) => {
      const r = await events.get(discomId, eventId);
      return r === undefined ? undefined : summary(r);
    },
    performance: async (discomId, eventId): Promise<DrPerformanceTotals | undefined> => {
      const p = await readPerformance(ch, discomId, eventId);
      if (p === undefined) return undefined;
      const t = p.totals as Record<string, number>;
      return { version: Number(p.version), complete: p.complete === true, eligibleWh: t.eligibleWh!, shortfallWh: t.shortfallWh!, paymentPaise: t.paymentPaise!, penaltyPaise: t.penaltyPaise! };
    },
    performanceAt: (discomId, eventId, cutoffMs) => readPerformanceTotalsAsOf(ch, discomId, eventId, cutoffMs),
  };
}
