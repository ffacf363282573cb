-- Priority, step 3 of 3 (contract): the reference is now required and the text column goes.
ALTER TABLE tasks
  ALTER COLUMN priority_id SET DEFAULT 2,
  ALTER COLUMN priority_id SET NOT NULL,
  DROP COLUMN priority;

CREATE INDEX tasks_priority_id_idx ON tasks (priority_id);
