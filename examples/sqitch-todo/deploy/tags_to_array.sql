-- Deploy todo:tags_to_array to pg
BEGIN;
ALTER TABLE tasks ALTER COLUMN tags TYPE text[]
  USING array_remove(regexp_split_to_array(btrim(tags, ' ,'), '\s*,\s*'), '');
COMMIT;
