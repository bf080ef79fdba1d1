-- Accepted declarations and their imports are never changed or removed: the database itself refuses it.
CREATE TRIGGER declarations_no_update BEFORE UPDATE ON declarations
BEGIN
    SELECT RAISE(ABORT, 'declarations are append-only');
END;
CREATE TRIGGER declarations_no_delete BEFORE DELETE ON declarations
BEGIN
    SELECT RAISE(ABORT, 'declarations are append-only');
END;
CREATE TRIGGER declaration_imports_no_update BEFORE UPDATE ON declaration_imports
BEGIN
    SELECT RAISE(ABORT, 'declarations are append-only');
END;
CREATE TRIGGER declaration_imports_no_delete BEFORE DELETE ON declaration_imports
BEGIN
    SELECT RAISE(ABORT, 'declarations are append-only');
END;
