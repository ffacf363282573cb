-- The task list shows "3 subtasks": denormalize the count onto tasks, backfill it from the
-- existing subtasks, and keep it right from now on with a trigger.
ALTER TABLE tasks ADD COLUMN subtask_count integer NOT NULL DEFAULT 0;

UPDATE tasks AS t
   SET subtask_count = s.n
  FROM (SELECT task_id, count(*)::integer AS n FROM subtasks GROUP BY task_id) AS s
 WHERE s.task_id = t.id;

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
