/** Per-user categories; deleting one leaves its tasks uncategorised (ON DELETE SET NULL). */
exports.up = async (knex) => {
  await knex.schema.createTable('categories', (t) => {
    t.increments('id');
    t.uuid('owner_id').notNullable().references('users.id').onDelete('CASCADE');
    t.text('name').notNullable();
    t.unique(['owner_id', 'name']);
  });
  await knex.schema.alterTable('tasks', (t) => {
    t.integer('category_id').references('categories.id').onDelete('SET NULL');
  });
  await knex.raw(`INSERT INTO categories (owner_id, name) SELECT DISTINCT owner_id, 'Work' FROM tasks`);
  await knex.raw(`UPDATE tasks t SET category_id = c.id FROM categories c
    WHERE c.owner_id = t.owner_id AND 'work' = ANY (t.tags)`);
};

exports.down = async (knex) => {
  await knex.schema.alterTable('tasks', (t) => t.dropColumn('category_id'));
  await knex.schema.dropTable('categories');
};
