-- neon-migrate:after 5f3c7b9d8e66
-- every task has a priority
SELECT count(*) = 0 FROM tasks WHERE priority_id IS NULL;
