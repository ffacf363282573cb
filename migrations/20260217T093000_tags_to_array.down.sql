-- Back to comma-separated strings (normalized as "a, b"); the audit table goes away.
DROP INDEX tasks_tags_idx;
ALTER TABLE tasks ALTER COLUMN tags TYPE text USING array_to_string(tags, ', ');
DROP TABLE tag_conversion_audit;
