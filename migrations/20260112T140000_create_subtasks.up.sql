-- Checklists inside a task.
CREATE TABLE subtasks (
  id       uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  task_id  uuid NOT NULL REFERENCES tasks (id) ON DELETE CASCADE,
  title    text NOT NULL,
  done     boolean NOT NULL DEFAULT false,
  position integer NOT NULL DEFAULT 0
);

CREATE INDEX subtasks_task_id_idx ON subtasks (task_id);
