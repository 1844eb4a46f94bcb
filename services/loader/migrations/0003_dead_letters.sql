-- dead-letter.v1 records (and records the loader itself cannot store as reads).
-- One row per (source, stage, code): a redelivered or re-produced dead letter folds into one.
-- Not partitioned, so copies with different rejected_at_ms (a producer that crashed before
-- committing and rejected the same source again) still fold; the latest rejected_at_ms wins.
-- The context map is two parallel arrays: 18.16 has no Map type.
CREATE TABLE IF NOT EXISTS dead_letters (
  discom_id String,
  source_id String,
  stage String,
  code String,
  message String,
  rejected_at_ms UInt64,
  batch_id String,
  meter_id String,
  context_keys Array(String),
  context_values Array(String),
  payload String
) ENGINE = ReplacingMergeTree(rejected_at_ms)
PARTITION BY tuple()
ORDER BY (discom_id, source_id, stage, code);
