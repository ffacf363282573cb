DROP TRIGGER subtasks_maintain_count ON subtasks;
DROP FUNCTION maintain_subtask_count();
ALTER TABLE tasks DROP COLUMN subtask_count;
