/** A catalog fingerprint of the user schema (everything outside pg_catalog, information_schema, neon_migrate). */
import type { DbClient } from '../../src/db/connect.js';

const USER_NS = `n.nspname NOT IN ('pg_catalog', 'information_schema', 'neon_migrate', 'pg_toast') AND n.nspname NOT LIKE 'pg_temp%'`;

const QUERIES: Record<string, string> = {
  relations: `SELECT n.nspname || '.' || c.relname || ' ' || c.relkind::text AS x FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE ${USER_NS}`,
  columns: `SELECT n.nspname || '.' || c.relname || '.' || a.attnum || ' ' || a.attname || ' ' || format_type(a.atttypid, a.atttypmod) || ' ' || a.attnotnull || ' ' || coalesce(pg_get_expr(d.adbin, d.adrelid), '') AS x
              FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid JOIN pg_namespace n ON n.oid = c.relnamespace
              LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
             WHERE ${USER_NS} AND a.attnum > 0 AND NOT a.attisdropped`,
  indexes: `SELECT pg_get_indexdef(i.indexrelid) || ' valid=' || i.indisvalid AS x FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid JOIN pg_namespace n ON n.oid = c.relnamespace WHERE ${USER_NS}`,
  constraints: `SELECT conrelid::regclass || ' ' || conname || ' ' || pg_get_constraintdef(co.oid) AS x FROM pg_constraint co JOIN pg_namespace n ON n.oid = co.connamespace WHERE ${USER_NS}`,
  functions: `SELECT pg_get_functiondef(p.oid) AS x FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace WHERE ${USER_NS}`,
  triggers: `SELECT pg_get_triggerdef(t.oid) AS x FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid JOIN pg_namespace n ON n.oid = c.relnamespace WHERE ${USER_NS} AND NOT t.tgisinternal`,
  enums: `SELECT t.typname || ' ' || string_agg(e.enumlabel, ',' ORDER BY e.enumsortorder) AS x FROM pg_enum e JOIN pg_type t ON t.oid = e.enumtypid JOIN pg_namespace n ON n.oid = t.typnamespace WHERE ${USER_NS} GROUP BY t.typname`,
  views: `SELECT c.relname || ' ' || pg_get_viewdef(c.oid) AS x FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE ${USER_NS} AND c.relkind IN ('v', 'm')`,
  comments: `SELECT c.relname || ' ' || obj_description(c.oid, 'pg_class') AS x FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE ${USER_NS} AND obj_description(c.oid, 'pg_class') IS NOT NULL`,
};

/** Sorted lines per catalog aspect; equal fingerprints = same user schema. */
export async function schemaFingerprint(db: DbClient): Promise<Record<string, string[]>> {
  const out: Record<string, string[]> = {};
  for (const [name, sql] of Object.entries(QUERIES)) {
    const res = await db.query<{ x: string }>(`${sql} ORDER BY 1`);
    out[name] = res.rows.map((r) => r.x);
  }
  return out;
}
