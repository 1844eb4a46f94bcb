-- Measured DR performance (services/dr performance sweep; dr-performance.v1). One row per
-- event and version with the totals, and per meter and interval in dr_delivery. A late read
-- that changes a figure writes the next version; readers take the highest.
CREATE TABLE IF NOT EXISTS dr_performance (
  discom_id String,
  event_id String,
  version UInt32,
  aggregator_id String,
  complete UInt8,
  delivered_wh Int64,
  offered_wh Int64,
  eligible_wh Int64,
  shortfall_wh Int64,
  payment_paise Int64,
  penalty_paise Int64,
  net_paise Int64,
  intervals_json String,
  computed_at_ms UInt64
) ENGINE = ReplacingMergeTree(computed_at_ms)
PARTITION BY tuple()
ORDER BY (discom_id, event_id, version);

CREATE TABLE IF NOT EXISTS dr_delivery (
  discom_id String,
  event_id String,
  version UInt32,
  meter_id String,
  interval_start DateTime('UTC'),
  delivered_wh Int64,
  status String,
  computed_at_ms UInt64
) ENGINE = ReplacingMergeTree(computed_at_ms)
PARTITION BY tuple()
ORDER BY (discom_id, event_id, version, meter_id, interval_start);
