-- The declarations of one import, in reference order: read to copy each import for the columnar engine.
CREATE INDEX declarations_by_import ON declarations (authority_id, import_seq, reference);
