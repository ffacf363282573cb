-- neon-migrate:backfill table=tasks key=id batch=5000
-- Subtask count, step 2 of 3 (backfill): count the subtasks of every task not counted yet, in
-- batches of task ids, each its own short transaction; a stopped run continues where it stopped.
UPDATE tasks AS t
   SET subtask_count = (SELECT count(*)::integer FROM subtasks AS s WHERE s.task_id = t.id)
 WHERE t.subtask_count IS NULL;
