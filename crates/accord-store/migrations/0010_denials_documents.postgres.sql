-- Denial notifications (created by refusals or entered by hand); records are JSON in `data`.
CREATE TABLE denials (
    id TEXT PRIMARY KEY,
    authority_id TEXT NOT NULL,
    destination TEXT NOT NULL,
    status TEXT NOT NULL,
    expires_on TEXT NOT NULL,
    version BIGINT NOT NULL,
    data TEXT NOT NULL
);
CREATE INDEX denials_by_authority ON denials (authority_id);
CREATE INDEX denials_by_destination ON denials (destination, status);

-- The uploaded files of an application's documents, one per declared document; never replaced.
CREATE TABLE documents (
    application_id TEXT NOT NULL REFERENCES applications (id),
    position BIGINT NOT NULL,
    content_type TEXT NOT NULL,
    size BIGINT NOT NULL,
    sha256 TEXT NOT NULL,
    uploaded_by TEXT NOT NULL,
    uploaded_at TEXT NOT NULL,
    content BYTEA NOT NULL,
    PRIMARY KEY (application_id, position)
);
