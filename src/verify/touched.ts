/**
 * Which tables a run's migrations touched, read from their parsed SQL: every table named anywhere
 * in a statement (targets and sources), tables referencing those through cascading foreign keys
 * (ON DELETE/UPDATE CASCADE or SET NULL/DEFAULT change the referencing rows), and tables whose
 * definition changed. Statements whose effects SQL parsing cannot see (DO blocks, CALL, TypeScript
 * migrations without a `touches` export) make every table "possibly touched".
 */
import { parse } from 'libpg-query';
import type { Queryable } from './queryable.js';
import { userSchemaFilter } from './queryable.js';

export interface TouchedTables {
  /** Qualified names, or table names without schema when the SQL did not qualify them. */
  names: Set<string>;
  /** Set when something opaque ran: then every table counts as touched. */
  opaqueReason?: string;
}

const OPAQUE_STATEMENTS = new Set(['DoStmt', 'CallStmt']);

/** Walk a parse tree collecting RangeVar names and DropStmt table names; flag opaque statements. */
function collect(node: unknown, into: TouchedTables, source: string): void {
  if (Array.isArray(node)) {
    for (const n of node) collect(n, into, source);
    return;
  }
  if (!node || typeof node !== 'object') return;
  const obj = node as Record<string, unknown>;
  if (typeof obj.relname === 'string' && ('inh' in obj || 'relpersistence' in obj)) {
    into.names.add(typeof obj.schemaname === 'string' ? `${obj.schemaname}.${obj.relname}` : obj.relname);
  }
  for (const [key, value] of Object.entries(obj)) {
    if (OPAQUE_STATEMENTS.has(key) && !into.opaqueReason)
      into.opaqueReason = `${source} runs a ${key === 'DoStmt' ? 'DO block' : 'CALL'}`;
    if (key === 'DropStmt') collectDropped(value as Record<string, unknown>, into);
    collect(value, into, source);
  }
}

/** DROP TABLE/VIEW/... names are lists of String nodes, not RangeVars. */
function collectDropped(drop: Record<string, unknown>, into: TouchedTables): void {
  if (!['OBJECT_TABLE', 'OBJECT_VIEW', 'OBJECT_MATVIEW', 'OBJECT_FOREIGN_TABLE'].includes(String(drop.removeType)))
    return;
  for (const obj of (drop.objects as unknown[]) ?? []) {
    const items = ((obj as { List?: { items?: unknown[] } }).List?.items ?? []) as { String?: { sval?: string } }[];
    const parts = items.map((i) => i.String?.sval).filter((s): s is string => Boolean(s));
    if (parts.length) into.names.add(parts.slice(-2).join('.'));
  }
}

/** Add the tables named by SQL migration scripts. */
export async function addTablesFromSql(into: TouchedTables, source: string, sql: string): Promise<void> {
  collect(await parse(sql), into, source);
}

/** Does a qualified table match a touched name (qualified, or bare = any schema)? */
export function isTouched(touched: TouchedTables, qualified: string): boolean {
  if (touched.opaqueReason) return true;
  return touched.names.has(qualified) || touched.names.has(qualified.slice(qualified.indexOf('.') + 1));
}

/** Close the set over cascading foreign keys: a table referencing a touched one with an action may change. */
export async function addCascadingReferrers(db: Queryable, into: TouchedTables): Promise<void> {
  const { rows } = await db.query(
    `SELECT n.nspname || '.' || c.relname AS child, rn.nspname || '.' || rc.relname AS parent
       FROM pg_constraint con
       JOIN pg_class c ON c.oid = con.conrelid JOIN pg_namespace n ON n.oid = c.relnamespace
       JOIN pg_class rc ON rc.oid = con.confrelid JOIN pg_namespace rn ON rn.oid = rc.relnamespace
      WHERE con.contype = 'f' AND (con.confdeltype IN ('c','n','d') OR con.confupdtype IN ('c','n','d'))
        AND ${userSchemaFilter('n.nspname')}`,
  );
  let grew = true;
  while (grew) {
    grew = false;
    for (const r of rows) {
      const child = String(r.child);
      if (isTouched(into, String(r.parent)) && !isTouched(into, child)) {
        into.names.add(child);
        grew = true;
      }
    }
  }
}

/** The tables (and views) a script drops, as named in it (`schema.table` when qualified). */
export async function droppedTablesIn(sql: string): Promise<string[]> {
  const into: TouchedTables = { names: new Set() };
  const walk = (node: unknown): void => {
    if (Array.isArray(node)) {
      for (const n of node) walk(n);
      return;
    }
    if (!node || typeof node !== 'object') return;
    for (const [key, value] of Object.entries(node as Record<string, unknown>)) {
      if (key === 'DropStmt') collectDropped(value as Record<string, unknown>, into);
      walk(value);
    }
  };
  walk(await parse(sql));
  return [...into.names];
}
