-- Federation: this node's identity, its peers, its signed outbox, what it received, what it rejected, and the shared
-- objects other than denials (consultations, answers, notices, risk assessments, endorsements, verifications).
CREATE TABLE federation_identity (
    id BIGINT PRIMARY KEY CHECK (id = 1),
    authority_id TEXT NOT NULL,
    public_key TEXT NOT NULL,
    created_at TEXT NOT NULL
);

CREATE TABLE peers (
    authority_id TEXT PRIMARY KEY,
    url TEXT NOT NULL,
    public_key TEXT NOT NULL,
    added_at TEXT NOT NULL,
    last_seq BIGINT NOT NULL DEFAULT 0,
    head_seq BIGINT NOT NULL DEFAULT 0,
    last_attempt_at TEXT,
    last_success_at TEXT,
    last_error TEXT
);

CREATE TABLE outbox_head (
    id BIGINT PRIMARY KEY CHECK (id = 1),
    seq BIGINT NOT NULL
);
INSERT INTO outbox_head (id, seq) VALUES (1, 0);

CREATE TABLE outbox (
    seq BIGINT PRIMARY KEY,
    kind TEXT NOT NULL,
    created_at TEXT NOT NULL,
    envelope TEXT NOT NULL
);

CREATE TABLE inbox (
    sender TEXT NOT NULL,
    seq BIGINT NOT NULL,
    kind TEXT NOT NULL,
    received_at TEXT NOT NULL,
    envelope TEXT NOT NULL,
    PRIMARY KEY (sender, seq)
);

CREATE TABLE federation_rejections (
    id TEXT PRIMARY KEY,
    sender TEXT NOT NULL,
    seq BIGINT NOT NULL,
    reason TEXT NOT NULL,
    message TEXT NOT NULL,
    received_at TEXT NOT NULL,
    envelope TEXT NOT NULL
);
CREATE INDEX rejections_by_time ON federation_rejections (received_at);

CREATE TABLE shared_records (
    kind TEXT NOT NULL,
    id TEXT NOT NULL,
    authority_id TEXT NOT NULL,
    version BIGINT NOT NULL,
    data TEXT NOT NULL,
    PRIMARY KEY (kind, id)
);
