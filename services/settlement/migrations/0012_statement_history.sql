-- Settlement statement history (services/settlement statement sinks): one row per status
-- change of one statement content, with the whole signed statement (compact JWS, payload
-- included) and the history entry as Redis keeps it (who, why, the signed write of a FINAL
-- or DISPUTED decision). The durable record a lost statement store is rebuilt from
-- (statement-store-rebuild.ts). A retried write of the same change is the same row.
CREATE TABLE IF NOT EXISTS statement_history (
  discom_id String,
  statement_id String,
  day String,
  sha256 String,
  status String,
  at_ms UInt64,
  jws String,
  change_json String
) ENGINE = ReplacingMergeTree(at_ms)
PARTITION BY tuple()
ORDER BY (discom_id, statement_id, at_ms, status, sha256);
