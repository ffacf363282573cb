/** Counting, on a branch that holds a copy of the data, the rows a destructive change would lose. */
import type { Queryable } from '../verify/queryable.js';
import { quoteIdent, quoteTable, userSchemaFilter } from '../verify/queryable.js';
import { type DestructiveChange, quoteDotted } from './destructive.js';

/** A destructive change with what it would cost on the branch. */
export interface CountedChange extends DestructiveChange {
  /**
   * Rows (or non-null values, for a column) lost or overwritten: rows of a dropped or truncated
   * table, or every table of a dropped schema; non-null values of a dropped or retyped column;
   * rows hit by DELETE/UPDATE without WHERE. Null when the object does not exist on the branch.
   */
  rowsAtRisk: number | null;
}

async function count(db: Queryable, sql: string, params: unknown[] = []): Promise<number> {
  const { rows } = await db.query(sql, params);
  return Number(rows[0]?.n ?? 0);
}

async function exists(db: Queryable, table: string): Promise<boolean> {
  const { rows } = await db.query(`SELECT to_regclass($1) IS NOT NULL AS ok`, [quoteDotted(table)]);
  return rows[0]?.ok === true;
}

async function columnExists(db: Queryable, table: string, column: string): Promise<boolean> {
  const { rows } = await db.query(
    `SELECT 1 FROM pg_attribute WHERE attrelid = to_regclass($1) AND attname = $2 AND NOT attisdropped`,
    [quoteDotted(table), column],
  );
  return rows.length > 0;
}

/** Rows at risk for one change (see CountedChange.rowsAtRisk). */
async function rowsAtRisk(db: Queryable, c: DestructiveChange): Promise<number | null> {
  if (c.kind === 'drop-schema') {
    const { rows } = await db.query(
      `SELECT n.nspname || '.' || c.relname AS name FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE n.nspname = $1 AND c.relkind = 'r' AND ${userSchemaFilter('n.nspname')}`,
      [c.target],
    );
    if (rows.length === 0)
      return (await count(db, `SELECT count(*) AS n FROM pg_namespace WHERE nspname = $1`, [c.target])) ? 0 : null;
    let total = 0;
    for (const r of rows) total += await count(db, `SELECT count(*) AS n FROM ${quoteTable(String(r.name))}`);
    return total;
  }
  if (!c.table || !(await exists(db, c.table))) return null;
  const table = quoteDotted(c.table);
  if (c.column) {
    if (!(await columnExists(db, c.table, c.column))) return null;
    return count(db, `SELECT count(${quoteIdent(c.column)}) AS n FROM ${table}`);
  }
  return count(db, `SELECT count(*) AS n FROM ${table}`);
}

/**
 * Count on `db` (a branch with a copy of the data, before the migrations run) the rows each
 * destructive change would lose. Lossless type changes count 0.
 */
export async function countRowsAtRisk(db: Queryable, changes: DestructiveChange[]): Promise<CountedChange[]> {
  const out: CountedChange[] = [];
  for (const c of changes) out.push({ ...c, rowsAtRisk: c.lossless ? 0 : await rowsAtRisk(db, c) });
  return out;
}
