-- When the notary produced each receipt (UTC epoch ms): the Kafka timestamp of its receipts.v1
-- record, which the notary's producer sets when it sends it, after signing. With accepted_at_ms
-- and loaded_at_ms it splits a batch's lag into ingest → notarised and notarised → loaded
-- (GET /v1/ingest-activity). 0 on rows written before this column existed.
ALTER TABLE receipts ADD COLUMN notarised_at_ms UInt64 DEFAULT 0;
