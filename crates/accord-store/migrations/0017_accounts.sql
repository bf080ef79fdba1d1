-- People sign in to the web interface: a password per user (argon2id, in PHC form), one-time invitations to set it,
-- sessions kept on the server, and failed sign-ins for rate limiting. Tokens are stored only as SHA-256 hashes.
CREATE TABLE user_passwords (
    user_id TEXT PRIMARY KEY REFERENCES users (id),
    hash TEXT NOT NULL,
    set_at TEXT NOT NULL
);
CREATE TABLE invitations (
    token_hash TEXT PRIMARY KEY,
    user_id TEXT NOT NULL REFERENCES users (id),
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL,
    used_at TEXT
);
CREATE TABLE sessions (
    token_hash TEXT PRIMARY KEY,
    user_id TEXT NOT NULL REFERENCES users (id),
    csrf TEXT NOT NULL,
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL
);
CREATE INDEX sessions_by_user ON sessions (user_id);
CREATE TABLE sign_in_failures (
    email TEXT NOT NULL,
    at TEXT NOT NULL
);
CREATE INDEX sign_in_failures_by_email ON sign_in_failures (email, at);
