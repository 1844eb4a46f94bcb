-- The lines of every statement content (services/settlement), keyed by the content hash:
-- a DRAFT rebuilt in place writes its new lines under its new sha256 and never mixes with
-- the old ones. Rewriting the same content writes the same keys (idempotent). Wh and paise.
CREATE TABLE IF NOT EXISTS statement_lines (
  discom_id String,
  statement_id String,
  sha256 String,
  line_no UInt32,
  kind String,
  reference String,
  interval_start Nullable(DateTime('UTC')),
  interval_end Nullable(DateTime('UTC')),
  meter_id String,
  payer String,
  payee String,
  counterparty String,
  quantity_wh Nullable(Int64),
  rate_paise_per_kwh Nullable(Int64),
  amount_paise Int64,
  note String,
  written_at_ms UInt64
) ENGINE = ReplacingMergeTree(written_at_ms)
PARTITION BY tuple()
ORDER BY (discom_id, statement_id, sha256, line_no);
