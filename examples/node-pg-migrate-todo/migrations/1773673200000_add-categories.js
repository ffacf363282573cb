/** Per-user categories; deleting one keeps its tasks, uncategorized (ON DELETE SET NULL). */
export const up = (pgm) => {
  pgm.createTable(
    'categories',
    {
      id: { type: 'uuid', primaryKey: true, default: pgm.func('gen_random_uuid()') },
      owner_id: { type: 'uuid', notNull: true, references: 'users', onDelete: 'CASCADE' },
      name: { type: 'text', notNull: true },
    },
    { constraints: { unique: ['owner_id', 'name'] } },
  );
  pgm.addColumn('tasks', { category_id: { type: 'uuid', references: 'categories', onDelete: 'SET NULL' } });
  pgm.sql(`INSERT INTO categories (owner_id, name)
           SELECT u.id, c.name FROM users AS u CROSS JOIN (VALUES ('Work'), ('Personal')) AS c (name)`);
  pgm.sql(`UPDATE tasks AS t SET category_id = c.id FROM categories AS c
            WHERE c.owner_id = t.owner_id AND c.name = CASE WHEN 'work' = ANY (t.tags) THEN 'Work'
                                                             WHEN 'personal' = ANY (t.tags) THEN 'Personal' END`);
};

export const down = (pgm) => {
  pgm.dropColumn('tasks', 'category_id');
  pgm.dropTable('categories');
};
