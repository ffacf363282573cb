/**
 * The safer way to write a risky change, worded once and shared by lint findings (by squawk rule)
 * and budget violations (by what was measured).
 */

/** Safer forms keyed by squawk rule name; squawk's own `help` is used for rules not listed. */
const BY_RULE: Readonly<Record<string, string>> = {
  'require-concurrent-index-creation':
    'CREATE INDEX CONCURRENTLY in its own migration whose first line is "-- neon-migrate:no-transaction"',
  'require-concurrent-index-deletion':
    'DROP INDEX CONCURRENTLY in its own migration whose first line is "-- neon-migrate:no-transaction"',
  'adding-not-nullable-field':
    'ADD CONSTRAINT ... CHECK (col IS NOT NULL) NOT VALID, then VALIDATE CONSTRAINT in a later migration, ' +
    'then SET NOT NULL (no scan)',
  'constraint-missing-not-valid': 'add the constraint NOT VALID, then VALIDATE CONSTRAINT in a later migration',
  'adding-foreign-key-constraint': 'add the foreign key NOT VALID, then VALIDATE CONSTRAINT in a later migration',
  'changing-column-type': 'add a new column, backfill it in batches, switch readers, then drop the old column',
  'adding-field-with-default':
    'add the column with a non-volatile default (or none) and backfill volatile values in batches',
  'disallowed-unique-constraint': 'CREATE UNIQUE INDEX CONCURRENTLY, then ADD CONSTRAINT ... UNIQUE USING INDEX',
  'adding-serial-primary-key-field':
    'CREATE UNIQUE INDEX CONCURRENTLY, then ADD CONSTRAINT ... PRIMARY KEY USING INDEX',
  'ban-drop-column':
    'stop using the column in the application first, then drop it (approve it with --allow-destructive)',
  'ban-drop-table': 'stop using the table first, then drop it (approve it with --allow-destructive)',
};

/** The safer form for a squawk rule, when neon-migrate words one. */
export function saferFormForRule(rule: string): string | undefined {
  return BY_RULE[rule];
}

/** What a measured problem calls for, keyed by the statement kind that caused it. */
export type MeasuredProblem = 'blocked' | 'rewrite';

/**
 * The safer form for a statement that blocked others or rewrote a table, from its SQL text
 * (measurement sees what happened; the statement says which safer form applies).
 */
export function saferFormForStatement(sql: string, problem: MeasuredProblem): string {
  const s = sql.replace(/\s+/g, ' ').toUpperCase();
  if (/^CREATE (UNIQUE )?INDEX /.test(s) && !s.includes(' CONCURRENTLY '))
    return BY_RULE['require-concurrent-index-creation']!;
  if (/^DROP INDEX /.test(s) && !s.includes(' CONCURRENTLY ')) return BY_RULE['require-concurrent-index-deletion']!;
  if (/ SET NOT NULL/.test(s)) return BY_RULE['adding-not-nullable-field']!;
  if (/ FOREIGN KEY | REFERENCES /.test(s) && !s.includes(' NOT VALID'))
    return BY_RULE['adding-foreign-key-constraint']!;
  if (/ ADD CONSTRAINT .* CHECK /.test(s) && !s.includes(' NOT VALID')) return BY_RULE['constraint-missing-not-valid']!;
  if (/ (ALTER COLUMN \S+ )?(SET DATA )?TYPE /.test(s)) return BY_RULE['changing-column-type']!;
  if (/ ADD (COLUMN )?.* DEFAULT /.test(s)) return BY_RULE['adding-field-with-default']!;
  if (/^(UPDATE|DELETE) /.test(s)) return 'backfill in batches of a few thousand rows, each in its own transaction';
  return problem === 'rewrite'
    ? 'avoid the table rewrite: add columns without volatile defaults and change types through a new column'
    : 'split the change so no statement holds a strong lock for long (NOT VALID + VALIDATE, CONCURRENTLY, batches)';
}
