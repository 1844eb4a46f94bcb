-- Settlement statements (services/settlement statement worker; statements.v1): one row per
-- statement id and content hash, and again for each status change. A DRAFT rebuilt in place
-- keeps its id with a new sha256; readers take the row with the highest updated_at_ms per
-- statement_id (argMax), or FINAL per (statement_id, sha256). Figures in paise.
CREATE TABLE IF NOT EXISTS statements (
  discom_id String,
  statement_id String,
  sha256 String,
  scope_kind String,
  day String,
  event_id String,
  version UInt32,
  revises_id String,
  revises_sha256 String,
  status String,
  complete UInt8,
  policy_id String,
  policy_version UInt32,
  line_count UInt32,
  receivable_paise Int64,
  payable_paise Int64,
  net_paise Int64,
  updated_at_ms UInt64
) ENGINE = ReplacingMergeTree(updated_at_ms)
PARTITION BY tuple()
ORDER BY (discom_id, statement_id, sha256);
