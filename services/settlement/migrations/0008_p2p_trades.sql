-- P2P trades as each DISCOM holds them (services/settlement, from p2p-trades.v1): one row per
-- trade revision and interval. A redelivered change repeats the same key and folds; every
-- revision (confirmed, curtailed, cancelled, allocated …) stays queryable, the latest being
-- the highest revision. Runs on 18.16: no DateTime64, Map or JSON types.
CREATE TABLE IF NOT EXISTS p2p_trades (
  discom_id String,
  trade_id String,
  revision UInt32,
  state String,
  transaction_id String,
  commitment_id String,
  contract_id String,
  seller_meter_id String,
  seller_discom_id String,
  seller_platform_id String,
  buyer_meter_id String,
  buyer_discom_id String,
  buyer_platform_id String,
  interval_start DateTime('UTC'),
  interval_end DateTime('UTC'),
  quantity_wh Int64,
  price_paise_per_kwh Int64,
  changed_by String,
  changed_at_ms UInt64
) ENGINE = ReplacingMergeTree(changed_at_ms)
PARTITION BY toYYYYMM(interval_start)
ORDER BY (discom_id, trade_id, revision, interval_start);
