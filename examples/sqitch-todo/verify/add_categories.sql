-- Verify todo:add_categories on pg
SELECT id, owner_id, name FROM categories WHERE false;
