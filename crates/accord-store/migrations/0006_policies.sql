-- Versions of the policy set; `data` holds every policy and data file as a JSON array of {name, text}.
CREATE TABLE policy_versions (
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
