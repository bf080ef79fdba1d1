-- Shared records and denials keyed by their owning authority as well as their id, so a record of one authority
-- never collides with (or blocks) a record of another that carries the same id.
CREATE TABLE denials_by_owner (
    authority_id TEXT NOT NULL,
    id TEXT NOT NULL,
    destination TEXT NOT NULL,
    status TEXT NOT NULL,
    expires_on TEXT NOT NULL,
    version BIGINT NOT NULL,
    data TEXT NOT NULL,
    PRIMARY KEY (authority_id, id)
);
INSERT INTO denials_by_owner (authority_id, id, destination, status, expires_on, version, data)
    SELECT authority_id, id, destination, status, expires_on, version, data FROM denials;
DROP TABLE denials;
ALTER TABLE denials_by_owner RENAME TO denials;
CREATE INDEX denials_by_id ON denials (id);
CREATE INDEX denials_by_destination ON denials (destination, status);

CREATE TABLE shared_records_by_owner (
    kind TEXT NOT NULL,
    authority_id TEXT NOT NULL,
    id TEXT NOT NULL,
    version BIGINT NOT NULL,
    data TEXT NOT NULL,
    PRIMARY KEY (kind, authority_id, id)
);
INSERT INTO shared_records_by_owner (kind, authority_id, id, version, data)
    SELECT kind, authority_id, id, version, data FROM shared_records;
DROP TABLE shared_records;
ALTER TABLE shared_records_by_owner RENAME TO shared_records;
CREATE INDEX shared_records_by_id ON shared_records (kind, id);

-- A rejected envelope whose fault is in its content is quarantined (skipped alone, replication goes on); any other
-- rejection stops the peer.
ALTER TABLE federation_rejections ADD COLUMN quarantined BIGINT NOT NULL DEFAULT 0;
CREATE INDEX rejections_quarantined ON federation_rejections (quarantined, received_at);
