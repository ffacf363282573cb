-- The task list shows "3 subtasks": denormalize the count onto tasks (expand, step 1 of 3).
-- The column starts NULL ("not counted yet") for existing tasks: adding it is instant, whatever
-- the table's size. New tasks start at 0, and a trigger keeps counted tasks right from now on;
-- 20260203T103000 counts the existing ones in batches, 20260203T104500 makes the column required.
ALTER TABLE tasks ADD COLUMN subtask_count integer;
ALTER TABLE tasks ALTER COLUMN subtask_count SET DEFAULT 0;

-- A task not counted yet stays NULL (NULL + 1 is NULL): the backfill counts it whole.
CREATE FUNCTION maintain_subtask_count() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP IN ('DELETE', 'UPDATE') THEN
    UPDATE tasks SET subtask_count = subtask_count - 1 WHERE id = OLD.task_id;
  END IF;
  IF TG_OP IN ('INSERT', 'UPDATE') THEN
    UPDATE tasks SET subtask_count = subtask_count + 1 WHERE id = NEW.task_id;
  END IF;
  RETURN NULL;
END
$$;

CREATE TRIGGER subtasks_maintain_count
  AFTER INSERT OR DELETE OR UPDATE OF task_id ON subtasks
  FOR EACH ROW EXECUTE FUNCTION maintain_subtask_count();
