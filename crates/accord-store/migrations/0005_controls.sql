-- Versions of the harmonized control list; `data` holds the entries in Accord's list format (JSON).
CREATE TABLE control_versions (
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
