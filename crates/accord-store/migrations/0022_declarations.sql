-- Export declarations, per authority, each import a version. A declaration is kept once per reference: sent again
-- with the same facts it is skipped, with other facts the import is refused (`row_hash` tells them apart).
CREATE TABLE declaration_imports (
    authority_id TEXT NOT NULL,
    seq BIGINT NOT NULL,
    label TEXT NOT NULL,
    source TEXT NOT NULL,
    content_hash TEXT NOT NULL,
    row_count BIGINT NOT NULL,
    added BIGINT NOT NULL,
    skipped BIGINT NOT NULL,
    first_date TEXT,
    last_date TEXT,
    imported_at TEXT NOT NULL,
    imported_by TEXT NOT NULL,
    PRIMARY KEY (authority_id, seq)
);
CREATE TABLE declarations (
    authority_id TEXT NOT NULL,
    reference TEXT NOT NULL,
    import_seq BIGINT NOT NULL,
    day TEXT NOT NULL,
    exporter TEXT NOT NULL,
    consignee TEXT NOT NULL,
    end_user TEXT NOT NULL,
    destination TEXT NOT NULL,
    hs_code TEXT NOT NULL,
    control_code TEXT,
    quantity DOUBLE PRECISION NOT NULL,
    value_eur DOUBLE PRECISION NOT NULL,
    authorisation TEXT,
    consignee_address TEXT NOT NULL DEFAULT '',
    end_user_address TEXT NOT NULL DEFAULT '',
    row_hash TEXT NOT NULL,
    PRIMARY KEY (authority_id, reference)
);
CREATE INDEX declarations_by_day ON declarations (authority_id, day);
