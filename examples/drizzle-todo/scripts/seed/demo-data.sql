-- neon-migrate:seed-baseline 0000_create_users_and_tasks
-- Demo data for the example, loaded on `main` when the local project is first created, after drizzle-kit
-- applied the baseline migration above. Messy on purpose: tags are comma strings with stray blanks.
-- Size: the setting neon_migrate.seed_tasks (from NEON_MIGRATE_SEED_TASKS), default 10000.
CREATE TEMP TABLE seed_size AS
SELECT coalesce(nullif(current_setting('neon_migrate.seed_tasks', true), '')::integer, 10000) AS tasks;

INSERT INTO users (id, email, name)
SELECT md5('user' || g)::uuid, format('user%s@example.com', g), 'User ' || g
  FROM seed_size, generate_series(1, greatest(seed_size.tasks / 100, 10)) AS g;

INSERT INTO tasks (id, owner_id, title, completed, tags)
SELECT md5('task' || g)::uuid,
       md5('user' || (1 + g % greatest(seed_size.tasks / 100, 10)))::uuid,
       'Task ' || g,
       g % 3 = 0,
       (ARRAY[NULL, '', 'bug', 'bug, urgent', 'work', ' personal , errands', 'work,meeting', 'docs,,work'])[1 + (g * 7) % 8]
  FROM seed_size, generate_series(1, seed_size.tasks) AS g;
