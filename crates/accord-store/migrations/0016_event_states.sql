-- The hash of each record's state after the change, attested by the event (part of its hashed bytes when present).
ALTER TABLE audit_events ADD COLUMN states TEXT;
