-- Nonces of signed peer requests seen within the clock-skew window: a request replayed inside the window is refused.
CREATE TABLE peer_nonces (
    authority_id TEXT NOT NULL,
    nonce TEXT NOT NULL,
    seen_at TEXT NOT NULL,
    PRIMARY KEY (authority_id, nonce)
);
CREATE INDEX peer_nonces_by_time ON peer_nonces (seen_at);
