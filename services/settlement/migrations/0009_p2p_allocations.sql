-- Final P2P allocations (services/settlement reconciler, p2p-allocations.v1): one row per
-- DISCOM, trade, final version and interval, with both DISCOMs' sides and FINAL_ALLOC =
-- min(seller, buyer). A redelivered version folds (same key); a late read that changes a
-- figure writes the next version, and readers take the highest. Runs on 18.16.
CREATE TABLE IF NOT EXISTS p2p_allocations (
  discom_id String,
  trade_id String,
  version UInt32,
  seller_discom_id String,
  buyer_discom_id String,
  seller_version UInt32,
  buyer_version UInt32,
  status String,
  seller_status String,
  buyer_status String,
  interval_start DateTime('UTC'),
  interval_end DateTime('UTC'),
  contracted_wh Int64,
  seller_wh Int64,
  buyer_wh Int64,
  final_wh Int64,
  deviation_wh Int64,
  evidence_json String,
  computed_at_ms UInt64
) ENGINE = ReplacingMergeTree(computed_at_ms)
PARTITION BY toYYYYMM(interval_start)
ORDER BY (discom_id, trade_id, version, interval_start);
