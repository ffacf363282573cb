/** Users and their tasks; tags start as a comma-separated string. */
exports.up = async (knex) => {
  await knex.schema.createTable('users', (t) => {
    t.uuid('id').primary();
    t.text('email').notNullable().unique();
    t.text('name').notNullable();
  });
  await knex.schema.createTable('tasks', (t) => {
    t.uuid('id').primary();
    t.uuid('owner_id').notNullable().references('users.id').onDelete('CASCADE');
    t.text('title').notNullable();
    t.boolean('completed').notNullable().defaultTo(false);
    t.text('tags');
    t.index(['owner_id']);
  });
};

exports.down = async (knex) => {
  await knex.schema.dropTable('tasks');
  await knex.schema.dropTable('users');
};
