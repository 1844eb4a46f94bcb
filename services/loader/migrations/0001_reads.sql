-- Every delivered version of every accepted read, one row per (meter, block, channel, batch).
-- Redelivery of a batch repeats the same sorting key, so ReplacingMergeTree folds the copies
-- (at merge time; FINAL or GROUP BY folds them at query time). A revision arrives in another
-- batch, so it is another row: versions are ordered by (received_at_ms, batch_id).
-- Statements run against the configured database (unqualified names) and must run on 18.16:
-- no LowCardinality (experimental there), no DateTime64.
CREATE TABLE IF NOT EXISTS reads (
  discom_id String,
  meter_id String,
  block_start DateTime('UTC'),
  channel Enum8('IMPORT' = 1, 'EXPORT' = 2),
  wh Int64,
  validation_status String,
  source String,
  batch_id String,
  index_in_batch UInt32,
  head_end_id String,
  received_at_ms UInt64
) ENGINE = ReplacingMergeTree
PARTITION BY toYYYYMM(block_start)
ORDER BY (discom_id, meter_id, block_start, channel, batch_id);
