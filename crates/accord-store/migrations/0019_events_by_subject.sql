-- A case page shows the history of the case and its application: the events about one subject, in chain order.
CREATE INDEX audit_events_by_subject ON audit_events (subject, seq);
