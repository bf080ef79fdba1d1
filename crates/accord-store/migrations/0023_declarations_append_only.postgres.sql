-- Accepted declarations and their imports are never changed or removed: the database itself refuses it.
CREATE FUNCTION declarations_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'declarations are append-only';
END;
$$;
CREATE TRIGGER declarations_no_change BEFORE UPDATE OR DELETE ON declarations
    FOR EACH ROW EXECUTE FUNCTION declarations_append_only();
CREATE TRIGGER declaration_imports_no_change BEFORE UPDATE OR DELETE ON declaration_imports
    FOR EACH ROW EXECUTE FUNCTION declarations_append_only();
