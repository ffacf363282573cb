-- Revert todo:tags_to_array from pg
BEGIN;
ALTER TABLE tasks ALTER COLUMN tags TYPE text USING array_to_string(tags, ', ');
COMMIT;
