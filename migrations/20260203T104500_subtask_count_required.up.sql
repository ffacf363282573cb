-- neon-migrate:after-backfill 20260203T103000
-- Subtask count, step 3 of 3 (contract): every task is counted, the column becomes required.
-- neon-migrate refuses to run this while the backfill above left tasks uncounted (declared on the
-- first line; a SET NOT NULL on a backfilled column is detected too), instead of failing half-way.
ALTER TABLE tasks ALTER COLUMN subtask_count SET NOT NULL;
