/** Comma-separated tags → text[] (blanks and empty items dropped); the down joins them back. */
exports.up = (knex) =>
  knex.raw(`ALTER TABLE tasks ALTER COLUMN tags TYPE text[]
    USING array_remove(regexp_split_to_array(btrim(tags, ' ,'), '\\s*,\\s*'), '')`);

exports.down = (knex) => knex.raw(`ALTER TABLE tasks ALTER COLUMN tags TYPE text USING array_to_string(tags, ', ')`);
