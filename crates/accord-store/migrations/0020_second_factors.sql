-- An optional second factor for signing in: a TOTP secret (RFC 6238) per user, pending until a code confirms it, and
-- the last time step used so that a code works once.
CREATE TABLE user_second_factors (
    user_id TEXT PRIMARY KEY REFERENCES users (id),
    secret TEXT NOT NULL,
    confirmed_at TEXT,
    last_step BIGINT NOT NULL DEFAULT 0
);
