-- Where each list is downloaded from and how the last download went (operational state, not audited).
CREATE TABLE list_sync (
    list_id TEXT PRIMARY KEY,
    source TEXT NOT NULL,
    validators TEXT NOT NULL,
    checked_at TEXT NOT NULL,
    outcome TEXT NOT NULL CHECK (outcome IN ('updated', 'unchanged', 'failed')),
    message TEXT NOT NULL
);
