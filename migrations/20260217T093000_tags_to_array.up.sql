-- Tags become a real text[] (filterable with a GIN index) instead of "bug, urgent" strings.
-- An audit table keeps each task's original string and its normalized tag list, computed here
-- with set functions, independently of the conversion below; scripts/tags.sql compares the two.
CREATE TABLE tag_conversion_audit (
  task_id    uuid PRIMARY KEY REFERENCES tasks (id) ON DELETE CASCADE,
  tags_text  text NOT NULL,
  normalized text NOT NULL
);

INSERT INTO tag_conversion_audit (task_id, tags_text, normalized)
SELECT t.id, t.tags,
       coalesce((SELECT string_agg(btrim(tag), ',' ORDER BY btrim(tag))
                   FROM unnest(string_to_array(t.tags, ',')) AS tag
                  WHERE btrim(tag) <> ''), '')
  FROM tasks AS t
 WHERE t.tags IS NOT NULL;

-- ALTER ... USING cannot hold a subquery: split on commas with surrounding blanks, drop empties.
ALTER TABLE tasks
  ALTER COLUMN tags TYPE text[]
  USING array_remove(regexp_split_to_array(btrim(tags, E' ,\t'), E'\\s*,\\s*'), '');

CREATE INDEX tasks_tags_idx ON tasks USING gin (tags);
