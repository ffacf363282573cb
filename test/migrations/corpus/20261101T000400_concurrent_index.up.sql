-- neon-migrate:no-transaction
CREATE INDEX CONCURRENTLY person_name_idx ON person (name);
CREATE UNIQUE INDEX CONCURRENTLY audit_what_idx ON audit (what, id);
