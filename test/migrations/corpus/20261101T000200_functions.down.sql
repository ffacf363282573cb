DROP TABLE do_made;
DROP TRIGGER person_audit_trg ON person;
DROP FUNCTION person_audit();
DROP TABLE audit;
DROP FUNCTION shout(text);
