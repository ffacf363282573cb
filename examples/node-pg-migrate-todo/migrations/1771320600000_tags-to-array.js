/** Comma-separated tags become a text[]; the down migration joins them back into "a, b". */
export const up = (pgm) => {
  pgm.alterColumn('tasks', 'tags', {
    type: 'text[]',
    using: "array_remove(regexp_split_to_array(btrim(tags, E' ,\\t'), E'\\\\s*,\\\\s*'), '')",
  });
  pgm.createIndex('tasks', 'tags', { method: 'gin' });
};

export const down = (pgm) => {
  pgm.dropIndex('tasks', 'tags');
  pgm.alterColumn('tasks', 'tags', { type: 'text', using: "array_to_string(tags, ', ')" });
};
