-- Deploy todo:create_users_and_tasks to pg
BEGIN;
CREATE TABLE users (id uuid PRIMARY KEY, email text NOT NULL UNIQUE, name text NOT NULL);
CREATE TABLE tasks (
  id uuid PRIMARY KEY,
  owner_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  title text NOT NULL,
  completed boolean NOT NULL DEFAULT false,
  tags text
);
CREATE INDEX tasks_owner_id_idx ON tasks (owner_id);
COMMIT;
