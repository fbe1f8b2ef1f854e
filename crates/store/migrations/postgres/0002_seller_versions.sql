-- Version 2: a write version per seller, raised by every transaction that
-- changes the seller's log or counters, so a reader (in any process) can tell
-- whether a report it computed earlier is still current (the report cache).
CREATE TABLE seller_versions (
    seller_id TEXT   PRIMARY KEY,
    version   BIGINT NOT NULL
);
INSERT INTO seller_versions (seller_id, version) SELECT seller_id, count(*) FROM events GROUP BY seller_id;
