-- neon-migrate:after 8c6faec0b199
-- the mapping table covers every row of the legacy file
SELECT s.rows_in_file = (SELECT count(*) FROM legacy_task_map) FROM legacy_import_summary AS s;

-- every mapped task exists, belongs to the legacy owner and kept its title
SELECT m.legacy_id FROM legacy_task_map AS m
  LEFT JOIN tasks AS t ON t.id = m.task_id
  LEFT JOIN users AS u ON u.id = t.owner_id
 WHERE t.id IS NULL OR u.email <> 'legacy-import@example.com' OR t.title <> m.legacy_title;
