-- When the loader wrote each receipt (UTC epoch ms): with accepted_at_ms, the lag from intake
-- to a batch being notarised and stored, per batch and over time (GET /v1/ingest-activity).
-- 0 on rows written before this column existed: their time is not known.
ALTER TABLE receipts ADD COLUMN loaded_at_ms UInt64 DEFAULT 0;
