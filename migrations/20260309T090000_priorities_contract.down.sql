DROP INDEX tasks_priority_id_idx;
ALTER TABLE tasks ADD COLUMN priority text NOT NULL DEFAULT 'medium';
UPDATE tasks AS t SET priority = p.name FROM priorities AS p WHERE p.id = t.priority_id;
ALTER TABLE tasks
  ALTER COLUMN priority_id DROP NOT NULL,
  ALTER COLUMN priority_id DROP DEFAULT;
