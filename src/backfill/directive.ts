/**
 * The `-- neon-migrate:backfill table=… key=… batch=…` line that marks a SQL migration as a
 * batched backfill. Kept free of imports: the SQL file loader reads it (a backfill is a
 * no-transaction migration) and the backfill module builds on it.
 */

/** The directive that makes a SQL migration a batched backfill. */
export const BACKFILL_DIRECTIVE = '-- neon-migrate:backfill';

/** The directive's options (`{ table: 'tasks', key: 'id', batch: '5000' }`), or null when the text has none. */
export function readBackfillDirective(text: string): Record<string, string> | null {
  const line = text
    .replace(/^\uFEFF/, '')
    .split(/\r?\n/)
    .map((l) => l.trim())
    .find((l) => l.toLowerCase().startsWith(BACKFILL_DIRECTIVE));
  if (line === undefined) return null;
  const rest = line.slice(BACKFILL_DIRECTIVE.length);
  if (rest !== '' && !/^\s/.test(rest)) return null; // e.g. `-- neon-migrate:backfills`, not ours
  const options: Record<string, string> = {};
  for (const word of rest.trim().split(/\s+/).filter(Boolean)) {
    const eq = word.indexOf('=');
    if (eq <= 0) options[word.toLowerCase()] = '';
    else options[word.slice(0, eq).toLowerCase()] = word.slice(eq + 1);
  }
  return options;
}

/** True when a SQL migration's text is marked as a batched backfill. */
export function isBackfillSql(text: string): boolean {
  return readBackfillDirective(text) !== null;
}
