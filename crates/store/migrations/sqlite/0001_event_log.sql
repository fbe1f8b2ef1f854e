-- The event log: the source of truth. One row per accepted fact, in arrival order.
CREATE TABLE events (
    seq            INTEGER PRIMARY KEY AUTOINCREMENT,
    seller_id      TEXT    NOT NULL,
    event_id       TEXT    NOT NULL,
    kind           TEXT    NOT NULL,
    payload        TEXT    NOT NULL,
    ingested_at_us BIGINT  NOT NULL,
    UNIQUE (seller_id, event_id)
);
CREATE INDEX events_by_seller ON events (seller_id, seq);
