-- Licence applications and the cases they open; the records are JSON in `data`, with the columns queries need.
CREATE TABLE applications (
    id TEXT PRIMARY KEY,
    organisation_id TEXT NOT NULL REFERENCES organisations (id),
    authority_id TEXT NOT NULL REFERENCES authorities (id),
    status TEXT NOT NULL CHECK (status IN ('draft', 'submitted')),
    idempotency_key TEXT,
    created_at TEXT NOT NULL,
    data TEXT NOT NULL
);
-- A retried request with the same key finds the application instead of creating a second one.
CREATE UNIQUE INDEX applications_by_idempotency_key ON applications (organisation_id, idempotency_key);
CREATE INDEX applications_by_organisation ON applications (organisation_id, created_at);

CREATE TABLE cases (
    id TEXT PRIMARY KEY,
    application_id TEXT NOT NULL REFERENCES applications (id),
    organisation_id TEXT NOT NULL REFERENCES organisations (id),
    authority_id TEXT NOT NULL REFERENCES authorities (id),
    status TEXT NOT NULL,
    risk_score BIGINT NOT NULL,
    due_date TEXT NOT NULL,
    version BIGINT NOT NULL,
    data TEXT NOT NULL
);
CREATE INDEX cases_queue ON cases (authority_id, status, risk_score);
