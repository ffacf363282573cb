-- The first version of the task app: people and their tasks.
-- Tags were a free-text, comma-separated string and priority a free-text label, as shipped in v1.
CREATE TABLE users (
  id         uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  email      text NOT NULL UNIQUE,
  name       text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE tasks (
  id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  owner_id    uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  title       text NOT NULL,
  description text,
  completed   boolean NOT NULL DEFAULT false,
  tags        text,
  priority    text NOT NULL DEFAULT 'medium',
  created_at  timestamptz NOT NULL DEFAULT now()
);

CREATE INDEX tasks_owner_id_idx ON tasks (owner_id);
