-- Per IST day of each meter channel, the cells of its reads: what a baseline's history reads
-- instead of 96 rows of `reads` per meter-day (services/dr/README.md, "History from
-- ClickHouse"). Filled by a materialized view on inserts into reads, so the loader writes once.
-- A cell is slot × 2^40 + status × 2^37 + (wh + 1): slot the 15-minute block of the IST day
-- (0…95); status VALID 1, ESTIMATED 2, MANUAL 3, SUSPECT 4, REJECTED 5, any other 7
-- (@ies/reads READ_DAY_STATUS_CODES); wh + 1 is 0 for a value outside 0…2^36.
-- ist_day counts IST days from 1970-01-01 (IST has no daylight saving: UTC + 19,800 s).
-- Nothing is folded: every delivered version is a cell, concatenated with the meter-day's
-- others as parts merge. A reader that finds two different cells for one slot (a revision, or
-- a redelivery with other values) asks `reads` for their versions; equal cells agree.
CREATE TABLE IF NOT EXISTS read_days (
  discom_id String,
  meter_id String,
  channel Enum8('IMPORT' = 1, 'EXPORT' = 2),
  ist_day UInt16,
  cells AggregateFunction(groupArray, UInt64)
) ENGINE = AggregatingMergeTree
PARTITION BY toYYYYMM(toDate(ist_day))
ORDER BY (discom_id, meter_id, channel, ist_day);

CREATE MATERIALIZED VIEW IF NOT EXISTS read_days_mv TO read_days AS
SELECT discom_id, meter_id, channel, toUInt16(intDiv(toUInt32(block_start) + 19800, 86400)) AS ist_day,
  groupArrayState(toUInt64(intDiv((toUInt32(block_start) + 19800) % 86400, 900) * 1099511627776
    + transform(validation_status, ['VALID', 'ESTIMATED', 'MANUAL', 'SUSPECT', 'REJECTED'], [1, 2, 3, 4, 5], 7) * 137438953472
    + if(wh >= 0 AND wh <= 68719476736, wh + 1, 0))) AS cells
FROM reads
GROUP BY discom_id, meter_id, channel, ist_day;

-- read_days is whole once the loader has copied the reads stored before the view existed
-- (src/read-days-backfill.ts, after every INSERT begun before the view has ended): one row
-- here. Until then readers ask `reads` (@ies/reads readDaysWholeQuery).
CREATE TABLE IF NOT EXISTS read_days_backfill (
  finished_at DateTime('UTC'),
  days UInt32
) ENGINE = MergeTree
ORDER BY finished_at;

-- The IST days the copy has done, so a copy cut short resumes instead of copying them again.
CREATE TABLE IF NOT EXISTS read_days_copied (
  ist_day UInt32,
  copied_at DateTime('UTC')
) ENGINE = ReplacingMergeTree
ORDER BY ist_day;
