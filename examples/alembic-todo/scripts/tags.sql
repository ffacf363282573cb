-- neon-migrate:after 3d1a5f7b6c44
-- no tag was lost, added or altered when tags became text[] (compared with the audit taken before)
SELECT a.task_id, a.tags_text, t.tags
  FROM tag_conversion_audit AS a JOIN tasks AS t ON t.id = a.task_id
 WHERE a.normalized <> array_to_string(ARRAY(SELECT x FROM unnest(t.tags) AS x ORDER BY x), ',');

-- no empty or untrimmed tag and no comma left inside a tag
SELECT t.id, t.tags FROM tasks AS t, unnest(t.tags) AS x
 WHERE x = '' OR x <> btrim(x) OR x LIKE '%,%';
