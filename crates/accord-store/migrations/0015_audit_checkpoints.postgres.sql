-- Signed checkpoints of the audit chain's head; append-only like the events. TRUNCATE, which row triggers do not
-- see, is refused on both tables by statement triggers.
CREATE TABLE audit_checkpoints (
    seq BIGINT PRIMARY KEY,
    authority_id TEXT NOT NULL,
    head_hash TEXT NOT NULL,
    at TEXT NOT NULL,
    signature TEXT NOT NULL
);
CREATE TRIGGER audit_checkpoints_no_update BEFORE UPDATE OR DELETE ON audit_checkpoints
    FOR EACH ROW EXECUTE FUNCTION audit_events_append_only();
CREATE TRIGGER audit_events_no_truncate BEFORE TRUNCATE ON audit_events
    FOR EACH STATEMENT EXECUTE FUNCTION audit_events_append_only();
CREATE TRIGGER audit_checkpoints_no_truncate BEFORE TRUNCATE ON audit_checkpoints
    FOR EACH STATEMENT EXECUTE FUNCTION audit_events_append_only();
