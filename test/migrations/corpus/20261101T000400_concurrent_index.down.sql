-- neon-migrate:no-transaction
DROP INDEX CONCURRENTLY audit_what_idx;
DROP INDEX CONCURRENTLY person_name_idx;
