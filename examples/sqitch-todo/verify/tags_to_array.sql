-- Verify todo:tags_to_array on pg
SELECT 1 / (format_type(atttypid, atttypmod) = 'text[]')::int FROM pg_attribute
 WHERE attrelid = 'tasks'::regclass AND attname = 'tags';
