/**
 * dr-events.v1 records → rows of `dr_events`. Pure. The schema says a consumer that sees a
 * version twice keeps the first; the table keeps the row with the greatest
 * `delivery_rank`, so the rank falls as the Kafka offset rises (an event's transitions
 * share one partition: the key is eventId).
 */
import { loaderDeadLetter, type Refusable } from './rows.js';

/** dr-events.v1 as decoded (schemas-avro/dr-event.v1.avsc; `at` in epoch ms). */
export interface DrEventRecord {
  eventId: string;
  discomId: string;
  aggregatorId: string;
  programmeId: string;
  version: number;
  state: string;
  previousState: string | null;
  at: number;
  by: string;
  reason: string | null;
  event: string;
}

export interface DrEventRow {
  discomId: string;
  eventId: string;
  version: number;
  aggregatorId: string;
  programmeId: string;
  state: string;
  previousState: string | null;
  atMs: number;
  by: string;
  reason: string | null;
  eventJson: string;
  /** 2^64 − 1 − Kafka offset: ReplacingMergeTree keeps the greatest, i.e. the first delivery. */
  deliveryRank: bigint;
}

const MAX_DATETIME_MS = (2 ** 32 - 1) * 1000;
const MAX_UINT64 = 2n ** 64n - 1n;

export function rowOfDrEvent(e: DrEventRecord, topicTenant: string, offset: string): Refusable<DrEventRow> {
  const refuse = (code: string, message: string) => ({ refused: loaderDeadLetter(topicTenant, `dr-event:${e.eventId}@${e.version}`, code, `DR event ${e.eventId} version ${e.version}: ${message}`, 0, { eventId: e.eventId }) });
  if (e.discomId !== topicTenant) return refuse('IES_ERR_TENANT_FORBIDDEN', `names DISCOM ${e.discomId} but arrived on ${topicTenant}'s topic`);
  if (!Number.isSafeInteger(e.version) || e.version < 1) return refuse('IES_ERR_DR_EVENT_INVALID', 'versions count up from 1');
  if (!Number.isSafeInteger(e.at) || e.at < 0 || e.at > MAX_DATETIME_MS) return refuse('IES_ERR_DR_EVENT_INVALID', `at ${e.at} is outside 1970-01-01…2106-02-07 (epoch ms)`);
  return {
    row: {
      discomId: e.discomId,
      eventId: e.eventId,
      version: e.version,
      aggregatorId: e.aggregatorId,
      programmeId: e.programmeId,
      state: e.state,
      previousState: e.previousState,
      atMs: e.at,
      by: e.by,
      reason: e.reason,
      eventJson: e.event,
      deliveryRank: MAX_UINT64 - BigInt(offset),
    },
  };
}
