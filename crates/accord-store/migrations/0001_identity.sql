-- Authorities, organisations, users, API keys and the audit chain.
-- Plain SQL that SQLite and PostgreSQL both accept; timestamps are fixed-width RFC 3339 UTC text.
CREATE TABLE authorities (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    jurisdiction TEXT NOT NULL,
    country TEXT NOT NULL,
    time_zone TEXT NOT NULL,
    calendar TEXT NOT NULL,
    created_at TEXT NOT NULL
);

CREATE TABLE organisations (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    country TEXT NOT NULL,
    size_class TEXT NOT NULL CHECK (size_class IN ('micro', 'small', 'medium', 'large')),
    registration_ids TEXT NOT NULL,
    authority_id TEXT NOT NULL REFERENCES authorities (id),
    created_at TEXT NOT NULL
);
CREATE INDEX organisations_by_authority ON organisations (authority_id);

CREATE TABLE users (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    email TEXT NOT NULL UNIQUE,
    role TEXT NOT NULL,
    authority_id TEXT REFERENCES authorities (id),
    organisation_id TEXT REFERENCES organisations (id),
    disabled BIGINT NOT NULL DEFAULT 0,
    created_at TEXT NOT NULL
);
CREATE INDEX users_by_authority ON users (authority_id);
CREATE INDEX users_by_organisation ON users (organisation_id);

CREATE TABLE api_keys (
    id TEXT PRIMARY KEY,
    user_id TEXT NOT NULL REFERENCES users (id),
    label TEXT NOT NULL,
    secret_hash TEXT NOT NULL,
    created_at TEXT NOT NULL,
    expires_at TEXT,
    revoked_at TEXT,
    last_used_at TEXT
);
CREATE INDEX api_keys_by_user ON api_keys (user_id);

CREATE TABLE audit_events (
    seq BIGINT PRIMARY KEY,
    id TEXT NOT NULL UNIQUE,
    at TEXT NOT NULL,
    actor TEXT NOT NULL,
    authority_id TEXT,
    kind TEXT NOT NULL,
    subject TEXT NOT NULL,
    payload TEXT NOT NULL,
    prev_hash TEXT NOT NULL,
    hash TEXT NOT NULL
);
CREATE INDEX audit_events_by_authority ON audit_events (authority_id, seq);

-- The chain head: one row, locked first by every writing transaction so events are appended in order.
CREATE TABLE audit_head (
    id BIGINT PRIMARY KEY CHECK (id = 1),
    seq BIGINT NOT NULL,
    hash TEXT NOT NULL
);
INSERT INTO audit_head (id, seq, hash) VALUES (1, 0, '0000000000000000000000000000000000000000000000000000000000000000');
