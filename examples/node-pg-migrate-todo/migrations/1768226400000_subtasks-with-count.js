/** Checklists inside a task, and tasks.subtask_count backfilled from them. */
export const up = (pgm) => {
  pgm.createTable('subtasks', {
    id: { type: 'uuid', primaryKey: true, default: pgm.func('gen_random_uuid()') },
    task_id: { type: 'uuid', notNull: true, references: 'tasks', onDelete: 'CASCADE' },
    title: { type: 'text', notNull: true },
    done: { type: 'boolean', notNull: true, default: false },
  });
  pgm.createIndex('subtasks', 'task_id');
  pgm.addColumn('tasks', { subtask_count: { type: 'integer', notNull: true, default: 0 } });
  pgm.sql(`
    UPDATE tasks AS t SET subtask_count = s.n
      FROM (SELECT task_id, count(*)::integer AS n FROM subtasks GROUP BY task_id) AS s
     WHERE s.task_id = t.id`);
};

export const down = (pgm) => {
  pgm.dropColumn('tasks', 'subtask_count');
  pgm.dropTable('subtasks');
};
