-- Version 5: counters are maintained after the log commit (docs/DESIGN.md,
-- "The projector"). A write transaction appends its events and, per seller,
-- one row here: the seller's write version it raised to and the keys of the
-- subjects it touched (a JSON array). The projector recomputes those subjects'
-- contributions from the log, applies the difference to the counters and
-- deletes the rows, in one transaction; a row left by a crash is projected on
-- the next start. A reader projects its seller's rows before it reads counters.
CREATE TABLE projection_queue (
    seller_id TEXT   NOT NULL,
    version   BIGINT NOT NULL,
    subjects  TEXT   NOT NULL,
    PRIMARY KEY (seller_id, version)
);

-- Writers of one subject now take turns on advisory locks (per seller and
-- bucket of subjects, held to the end of the transaction) instead of a row of
-- this table each: nothing is written to lock.
DROP TABLE subjects;
