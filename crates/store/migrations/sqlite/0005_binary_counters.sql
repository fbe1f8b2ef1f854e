-- Version 5: contributions and counters move from packed text to a binary form,
-- records of 16 bytes, little-endian: [counter code: u32][day: i32][value: i64]
-- (docs/DESIGN.md, "Counters on disk"). `changes` holds (counter, attribution
-- day, delta) records; `totals` holds (counter, effective day, total) records.
-- The tables are recreated empty and the store rebuilds them from the event log
-- when it next opens (the `counters_to_rebuild` mark), before it serves.
DROP TABLE contributions;
DROP TABLE counters;

CREATE TABLE contributions (
    seller_id      TEXT   NOT NULL,
    subject        TEXT   NOT NULL,
    marketplace_id TEXT   NOT NULL,
    at_ns          BIGINT NOT NULL,
    changes        BLOB   NOT NULL,
    PRIMARY KEY (seller_id, subject, marketplace_id, at_ns)
) WITHOUT ROWID;
CREATE INDEX contributions_by_time ON contributions (seller_id, marketplace_id, at_ns);

CREATE TABLE counters (
    seller_id      TEXT   NOT NULL,
    marketplace_id TEXT   NOT NULL,
    day            BIGINT NOT NULL,
    totals         BLOB   NOT NULL,
    PRIMARY KEY (seller_id, marketplace_id, day)
) WITHOUT ROWID;

INSERT INTO store_meta (name, value) VALUES ('counters_to_rebuild', 'counters moved to the binary form (version 5)')
    ON CONFLICT (name) DO UPDATE SET value = excluded.value;
