-- Revert todo:add_categories from pg
BEGIN;
ALTER TABLE tasks DROP COLUMN category_id;
DROP TABLE categories;
COMMIT;
