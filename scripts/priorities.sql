-- neon-migrate:after 20260302T113000
-- every task has a priority
SELECT count(*) = 0 FROM tasks WHERE priority_id IS NULL;
