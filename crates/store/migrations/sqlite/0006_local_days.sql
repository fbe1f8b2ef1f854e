-- Days are the marketplace's local calendar days (issue 17): every counter's
-- attribution and effective days were UTC days, so the store rebuilds them from
-- the event log when it next opens (the `counters_to_rebuild` mark), under the
-- policy profile it opens with, before it serves.
INSERT INTO store_meta (name, value) VALUES ('counters_to_rebuild', 'days became the marketplace''s local days (issue 17)')
    ON CONFLICT (name) DO UPDATE SET value = excluded.value;
