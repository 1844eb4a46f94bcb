-- The same rows ordered by batch, for "all reads of batch X in order" (read proofs).
-- Filled by a materialized view on inserts into reads, so the loader writes once.
-- Partitioned by the month the batch was received: a batch's rows share it, so copies of a
-- redelivered batch always fold together.
CREATE TABLE IF NOT EXISTS reads_by_batch (
  discom_id String,
  batch_id String,
  index_in_batch UInt32,
  meter_id String,
  block_start DateTime('UTC'),
  channel Enum8('IMPORT' = 1, 'EXPORT' = 2),
  wh Int64,
  validation_status String,
  source String,
  head_end_id String,
  received_at_ms UInt64
) ENGINE = ReplacingMergeTree
PARTITION BY toYYYYMM(toDateTime(intDiv(received_at_ms, 1000), 'UTC'))
ORDER BY (discom_id, batch_id, index_in_batch);

CREATE MATERIALIZED VIEW IF NOT EXISTS reads_by_batch_mv TO reads_by_batch AS
SELECT discom_id, batch_id, index_in_batch, meter_id, block_start, channel, wh, validation_status, source, head_end_id, received_at_ms
FROM reads;
