-- Per-user categories. Deleting a category keeps its tasks (uncategorized): ON DELETE SET NULL.
CREATE TABLE categories (
  id       uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  owner_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  name     text NOT NULL,
  UNIQUE (owner_id, name)
);

ALTER TABLE tasks ADD COLUMN category_id uuid REFERENCES categories (id) ON DELETE SET NULL;
CREATE INDEX tasks_category_id_idx ON tasks (category_id);

-- Everyone starts with Work and Personal; tasks tagged so are filed there.
INSERT INTO categories (owner_id, name)
SELECT u.id, c.name FROM users AS u CROSS JOIN (VALUES ('Work'), ('Personal')) AS c (name);

UPDATE tasks AS t
   SET category_id = c.id
  FROM categories AS c
 WHERE c.owner_id = t.owner_id
   AND c.name = CASE WHEN 'work' = ANY (t.tags) THEN 'Work' WHEN 'personal' = ANY (t.tags) THEN 'Personal' END;
