-- Version 2: the event log gains subject and reference columns, and the
-- contributions and daily counters appear. The version-1 log is kept aside as
-- events_v1; the store carries its facts into the new log on start-up (through
-- the write path, which computes subjects and counters) and then drops it.
ALTER TABLE events RENAME TO events_v1;
DROP INDEX events_by_seller;

-- The event log: the source of truth, one row per accepted fact in arrival order.
CREATE TABLE events (
    seq            INTEGER PRIMARY KEY AUTOINCREMENT,
    seller_id      TEXT    NOT NULL,
    event_id       TEXT    NOT NULL,
    subject        TEXT    NOT NULL,
    kind           TEXT    NOT NULL,
    ref_key        TEXT,
    payload        TEXT    NOT NULL,
    ingested_at_us BIGINT  NOT NULL
);
CREATE UNIQUE INDEX events_by_event_id ON events (seller_id, event_id);
CREATE INDEX events_by_subject ON events (seller_id, subject, seq);
CREATE INDEX events_by_ref ON events (seller_id, kind, ref_key);
CREATE UNIQUE INDEX events_one_order ON events (seller_id, subject) WHERE kind = 'order';
CREATE UNIQUE INDEX events_one_tracking ON events (seller_id, ref_key) WHERE kind = 'shipment_confirmed';

-- Each subject's current contributions, one row per marketplace and effective
-- instant: `changes` holds a line "day delta counter" per counter changed then
-- (day: attribution day as days since 1970-01-01).
CREATE TABLE contributions (
    seller_id      TEXT   NOT NULL,
    subject        TEXT   NOT NULL,
    marketplace_id TEXT   NOT NULL,
    at_ns          BIGINT NOT NULL,
    changes        TEXT   NOT NULL,
    PRIMARY KEY (seller_id, subject, marketplace_id, at_ns)
) WITHOUT ROWID;
CREATE INDEX contributions_by_time ON contributions (seller_id, marketplace_id, at_ns);

-- Daily counters, one row per seller, marketplace and attribution day (day:
-- days since 1970-01-01): `totals` holds a line "eff_day total counter" per
-- counter and effective day, the sum of the contributions effective that day.
-- A report reads one row per day in reach, however many orders a day has.
CREATE TABLE counters (
    seller_id      TEXT   NOT NULL,
    marketplace_id TEXT   NOT NULL,
    day            BIGINT NOT NULL,
    totals         TEXT   NOT NULL,
    PRIMARY KEY (seller_id, marketplace_id, day)
) WITHOUT ROWID;
