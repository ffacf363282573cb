-- neon-migrate:after 2c9d4e6f5a33
-- every tasks.subtask_count equals the real number of subtasks
SELECT t.id, t.subtask_count, count(s.id) AS actual
  FROM tasks AS t LEFT JOIN subtasks AS s ON s.task_id = t.id
 GROUP BY t.id
HAVING t.subtask_count <> count(s.id);
