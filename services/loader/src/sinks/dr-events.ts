import { rowOfDrEvent, type DrEventRecord, type DrEventRow } from '../domain/dr-events.js';
import type { RowBinaryWriter } from '../row-binary.js';
import { oneRowSink, type Sink } from '../sink.js';

/** Columns of `dr_events` (migrations/0007_dr_events.sql), in the order `writeDrEvent` writes them. */
export const DR_EVENT_COLUMNS = ['discom_id', 'event_id', 'version', 'aggregator_id', 'programme_id', 'state', 'previous_state', 'at', 'at_ms', 'made_by', 'reason', 'event_json', 'delivery_rank'] as const;

/** dr-events.v1 (the tenant's topic, not the aggregator feeds) → dr_events. */
export const drEventsSink: Sink<DrEventRecord> = oneRowSink({
  topic: 'drEvents',
  table: 'dr_events',
  columns: DR_EVENT_COLUMNS,
  rowOf: (record: DrEventRecord, { tenant, offset }) => rowOfDrEvent(record, tenant, offset),
  writeRow: writeDrEvent,
});

export function writeDrEvent(w: RowBinaryWriter, r: DrEventRow): void {
  w.string(r.discomId);
  w.string(r.eventId);
  w.uint32(r.version);
  w.string(r.aggregatorId);
  w.string(r.programmeId);
  w.string(r.state);
  w.nullableString(r.previousState);
  w.uint32(Math.floor(r.atMs / 1000));
  w.uint64(r.atMs);
  w.string(r.by);
  w.nullableString(r.reason);
  w.string(r.eventJson);
  w.uint64Big(r.deliveryRank);
}
