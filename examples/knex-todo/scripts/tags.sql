-- neon-migrate:after 20260217093000_tags_to_array.js
-- Tags are clean arrays: no blank or padded items.
SELECT id, tags FROM tasks WHERE EXISTS (SELECT 1 FROM unnest(tags) AS t WHERE t = '' OR t <> btrim(t));
