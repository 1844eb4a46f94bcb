-- DR baselines per event, meter and interval (services/dr baseline worker; baselines.v1).
-- A recomputation of the same event version writes the same key: the latest computed_at_ms
-- wins when rows fold (FINAL). baseline_wh is NULL when the status gives no figure
-- (INSUFFICIENT_HISTORY, ADJUSTMENT_DATA_MISSING): never a silent zero.
CREATE TABLE IF NOT EXISTS dr_baselines (
  discom_id String,
  event_id String,
  event_version UInt32,
  meter_id String,
  interval_start DateTime('UTC'),
  policy String,
  status String,
  baseline_wh Nullable(Int64),
  unadjusted_wh Nullable(Int64),
  selected_days Array(String),
  detail String,
  computed_at_ms UInt64
) ENGINE = ReplacingMergeTree(computed_at_ms)
PARTITION BY tuple()
ORDER BY (discom_id, event_id, meter_id, interval_start);
