-- neon-migrate:seed-baseline 1b7e3a5c4d22
-- Demo data for the example task app, loaded on `main` when the local project is first created.
-- neon-migrate first applies the migrations up to the baseline version above (through the runner,
-- so main's history records them), then runs this file. Production-shaped and messy on purpose:
-- tags are comma strings with stray blanks, priorities are free text ("High", " medium", "asap").
-- Size: the setting neon_migrate.seed_tasks (from NEON_MIGRATE_SEED_TASKS), default 100000.
-- Deterministic: ids are md5-derived and no random() is used, so every fresh project is the same.

CREATE TEMP TABLE seed_size AS
SELECT coalesce(nullif(current_setting('neon_migrate.seed_tasks', true), '')::integer, 100000) AS tasks;

INSERT INTO users (id, email, name, created_at)
SELECT md5('user' || g)::uuid,
       format('%s.%s%s@example.com', lower(f), lower(l), g),
       f || ' ' || l,
       timestamptz '2024-01-01 09:00:00+00' + g * interval '7 hours'
  FROM seed_size,
       generate_series(1, greatest(seed_size.tasks / 100, 10)) AS g,
       LATERAL (SELECT (ARRAY['Ada','Grace','Linus','Margaret','Ken','Barbara','Dennis','Frances','Alan','Radia'])[1 + g % 10] AS f,
                       (ARRAY['Lovelace','Hopper','Torvalds','Hamilton','Thompson','Liskov','Ritchie','Allen','Turing','Perlman'])[1 + (g / 10) % 10] AS l) AS n;

INSERT INTO tasks (id, owner_id, title, description, completed, tags, priority, created_at)
SELECT md5('task' || g)::uuid,
       md5('user' || (1 + g % greatest(seed_size.tasks / 100, 10)))::uuid,
       (ARRAY['Fix','Write','Review','Plan','Ship','Refactor','Test','Document','Call','Book'])[1 + g % 10] || ' ' ||
       (ARRAY['login page','quarterly report','API docs','release notes','flight to Berlin','dentist','onboarding flow','invoice #' || g,'database backup','team offsite'])[1 + (g / 10) % 10],
       CASE WHEN g % 4 = 0 THEN NULL ELSE 'Details for task ' || g || ': see the thread from ' || to_char(date '2024-01-01' + g % 365, 'Mon DD') END,
       g % 3 = 0,
       (ARRAY[NULL, '', 'bug', 'bug, urgent', 'frontend,backend ,api', 'work', ' personal , errands', 'work,meeting', 'personal', 'docs,,work', 'ops, on-call ,'])[1 + (g * 7) % 11],
       (ARRAY['low', 'medium', 'high', 'urgent', 'High', ' medium', 'LOW', 'urgent ', '', 'asap', 'Medium'])[1 + (g * 13) % 11],
       timestamptz '2024-01-01 09:00:00+00' + g * interval '3 minutes'
  FROM seed_size, generate_series(1, seed_size.tasks) AS g;

-- 0 to 3 checklist items per task (about 1.5 on average).
INSERT INTO subtasks (id, task_id, title, done, position)
SELECT md5('subtask' || g || '.' || s)::uuid,
       md5('task' || g)::uuid,
       (ARRAY['Draft', 'Get feedback', 'Finalize'])[s],
       (g + s) % 2 = 0,
       s
  FROM seed_size, generate_series(1, seed_size.tasks) AS g, generate_series(1, g % 4) AS s;

DROP TABLE seed_size;
ANALYZE users;
ANALYZE tasks;
ANALYZE subtasks;
