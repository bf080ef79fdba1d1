-- Restricted-party lists: one row per imported version, the entities in force, and what each version changed.
CREATE TABLE list_versions (
    list_id TEXT NOT NULL,
    version BIGINT NOT NULL,
    format TEXT NOT NULL,
    content_hash TEXT NOT NULL,
    source TEXT NOT NULL,
    imported_at TEXT NOT NULL,
    entities BIGINT NOT NULL,
    added BIGINT NOT NULL,
    changed BIGINT NOT NULL,
    removed BIGINT NOT NULL,
    problems BIGINT NOT NULL,
    PRIMARY KEY (list_id, version)
);

-- The entities of the version in force; `version` is the list version in which this content appeared.
CREATE TABLE list_entities (
    list_id TEXT NOT NULL,
    entity_id TEXT NOT NULL,
    version BIGINT NOT NULL,
    content_hash TEXT NOT NULL,
    data TEXT NOT NULL,
    PRIMARY KEY (list_id, entity_id)
);

CREATE TABLE list_changes (
    list_id TEXT NOT NULL,
    version BIGINT NOT NULL,
    entity_id TEXT NOT NULL,
    change TEXT NOT NULL CHECK (change IN ('added', 'changed', 'removed')),
    fields TEXT NOT NULL,
    name TEXT NOT NULL,
    PRIMARY KEY (list_id, version, entity_id)
);

-- Officers' verdicts on screening hits; a false positive holds while the entity's version is unchanged.
CREATE TABLE adjudications (
    id TEXT PRIMARY KEY,
    authority_id TEXT NOT NULL REFERENCES authorities (id),
    subject TEXT NOT NULL,
    list_id TEXT NOT NULL,
    entity_id TEXT NOT NULL,
    entity_version BIGINT NOT NULL,
    verdict TEXT NOT NULL CHECK (verdict IN ('true_positive', 'false_positive')),
    reason TEXT NOT NULL,
    officer_id TEXT NOT NULL REFERENCES users (id),
    created_at TEXT NOT NULL
);
CREATE INDEX adjudications_by_subject ON adjudications (authority_id, subject);
