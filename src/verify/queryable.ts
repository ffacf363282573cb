/** The one thing verification needs from a database connection: run SQL, get rows back. */

/** Anything with a pg-style `query` (src/db's DbClient, a `pg` Client, a serverless Client). */
export interface Queryable {
  query(sql: string, params?: unknown[]): Promise<{ rows: Record<string, unknown>[] }>;
}

/** Quote an identifier for SQL (double quotes, doubled inside). */
export function quoteIdent(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

/** `schema.table` quoted, from a qualified table name as verification reports it. */
export function quoteTable(qualified: string): string {
  const dot = qualified.indexOf('.');
  return `${quoteIdent(qualified.slice(0, dot))}.${quoteIdent(qualified.slice(dot + 1))}`;
}

/** Schemas verification never looks at: the system's and neon-migrate's own history. */
export const SKIPPED_SCHEMAS = ['pg_catalog', 'information_schema', 'pg_toast', 'neon_migrate'];

/** SQL predicate on a `nspname` column excluding the skipped schemas and temp/toast schemas. */
export function userSchemaFilter(column: string): string {
  const list = SKIPPED_SCHEMAS.map((s) => `'${s}'`).join(', ');
  return `${column} NOT IN (${list}) AND ${column} NOT LIKE 'pg\\_temp\\_%' AND ${column} NOT LIKE 'pg\\_toast\\_temp\\_%'`;
}
