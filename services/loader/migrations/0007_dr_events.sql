-- dr-events.v1: every lifecycle transition of every DR event, one row per
-- (discom, event, version). A redelivered transition repeats the key and folds.
-- dr-event.v1.avsc: "a consumer that sees a version twice keeps the first". A
-- ReplacingMergeTree keeps the row with the greatest version column, so delivery_rank is
-- 2^64 - 1 - the record's Kafka offset: the first delivery has the greatest rank (an
-- event's transitions share one partition, its key being eventId).
-- Partitioned by the month of the transition (`at`, a value of the record), so copies
-- always share a partition. previous_state and reason are Nullable as in the schema.
CREATE TABLE IF NOT EXISTS dr_events (
  discom_id String,
  event_id String,
  version UInt32,
  aggregator_id String,
  programme_id String,
  state String,
  previous_state Nullable(String),
  at DateTime('UTC'),
  at_ms UInt64,
  made_by String,
  reason Nullable(String),
  event_json String,
  delivery_rank UInt64
) ENGINE = ReplacingMergeTree(delivery_rank)
PARTITION BY toYYYYMM(at)
ORDER BY (discom_id, event_id, version);
