-- Versions of the official trade statistics; `data` holds the set read from the files (their names and digests,
-- every observation, the yearly exchange rates) as JSON.
CREATE TABLE trade_versions (
    seq BIGINT PRIMARY KEY,
    label TEXT NOT NULL,
    effective_date TEXT NOT NULL,
    rationale TEXT NOT NULL,
    content_hash TEXT NOT NULL,
    source TEXT NOT NULL,
    imported_at TEXT NOT NULL,
    entries BIGINT NOT NULL,
    data TEXT NOT NULL
);
