ALTER TABLE tasks DROP COLUMN category_id;
DROP TABLE categories;
