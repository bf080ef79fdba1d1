-- The officers' queue is read a page at a time in its own order (highest risk first, then the earliest due): an
-- index in that order, per authority and for all, lets a deep page be found without sorting every case.
CREATE INDEX cases_in_queue_order ON cases (authority_id, risk_score DESC, due_date, id);
CREATE INDEX cases_by_risk ON cases (risk_score DESC, due_date, id);
