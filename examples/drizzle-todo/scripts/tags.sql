-- neon-migrate:after 0001_tags_to_array
-- Tags are clean arrays: no blank or padded items.
SELECT id, tags FROM tasks WHERE EXISTS (SELECT 1 FROM unnest(tags) AS t WHERE t = '' OR t <> btrim(t));
