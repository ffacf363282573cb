-- Deploy todo:add_categories to pg
BEGIN;
CREATE TABLE categories (
  id serial PRIMARY KEY,
  owner_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  name text NOT NULL,
  UNIQUE (owner_id, name)
);
ALTER TABLE tasks ADD COLUMN category_id integer REFERENCES categories (id) ON DELETE SET NULL;
INSERT INTO categories (owner_id, name) SELECT DISTINCT owner_id, 'Work' FROM tasks;
UPDATE tasks t SET category_id = c.id FROM categories c WHERE c.owner_id = t.owner_id AND 'work' = ANY (t.tags);
COMMIT;
