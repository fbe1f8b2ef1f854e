-- Version 3: what the store knows about itself: `counter_parameters` holds the policy
-- parameters the counters were built with (how facts are classified: the
-- reply SLA, the return response hours). A store opened under a profile that
-- classifies differently refuses to serve those counters until a rebuild.
CREATE TABLE store_meta (
    name  TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
