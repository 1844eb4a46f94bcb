-- receipts.v1: the notary's receipt for each batch appended to a tenant's log.
-- One row per (discom, log index): a log index names one entry for good, so a redelivered
-- receipt repeats the sorting key and ReplacingMergeTree folds the copies (at merge time;
-- FINAL or GROUP BY folds them at query time). Partitioned by the month the gateway
-- accepted the batch, a value of the record itself, so copies always share a partition.
-- accepted_at (DateTime, seconds) is for days and partitions; accepted_at_ms keeps the
-- exact millisecond of the log entry (18.16 has no DateTime64).
CREATE TABLE IF NOT EXISTS receipts (
  discom_id String,
  log_index UInt64,
  batch_id String,
  head_end_id String,
  read_count UInt32,
  batch_root String,
  accepted_at DateTime('UTC'),
  accepted_at_ms UInt64,
  checkpoint String,
  inclusion_proof Array(String),
  jws String
) ENGINE = ReplacingMergeTree
PARTITION BY toYYYYMM(accepted_at)
ORDER BY (discom_id, log_index);

-- The same receipts ordered by batch, for "the receipt of batch X". Filled by a
-- materialized view on inserts into receipts, so the loader writes once. The log index
-- stays in the key: should a batch id ever be appended twice, both entries stay visible.
CREATE TABLE IF NOT EXISTS receipts_by_batch (
  discom_id String,
  batch_id String,
  log_index UInt64,
  head_end_id String,
  read_count UInt32,
  batch_root String,
  accepted_at DateTime('UTC'),
  accepted_at_ms UInt64,
  checkpoint String,
  inclusion_proof Array(String),
  jws String
) ENGINE = ReplacingMergeTree
PARTITION BY toYYYYMM(accepted_at)
ORDER BY (discom_id, batch_id, log_index);

CREATE MATERIALIZED VIEW IF NOT EXISTS receipts_by_batch_mv TO receipts_by_batch AS
SELECT discom_id, batch_id, log_index, head_end_id, read_count, batch_root, accepted_at, accepted_at_ms, checkpoint, inclusion_proof, jws
FROM receipts;
