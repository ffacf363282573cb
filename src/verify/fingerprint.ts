/**
 * Catalog fingerprints: a normalized, sorted text description of the user schema (schemas,
 * extensions, tables, columns, constraints, indexes, functions, triggers, enums, domains, views,
 * sequences, policies), hashed. Two databases with the same fingerprint hash have the same schema.
 * Column order is deliberately not part of it: a down migration that drops and re-adds a column
 * restores the schema even though Postgres appends the column at the end.
 */
import { createHash } from 'node:crypto';
import { type Queryable, userSchemaFilter } from './queryable.js';

export interface FingerprintLine {
  /** `table`, `column`, `constraint`, `index`, `function`, ... */
  kind: string;
  /** The qualified object the line describes (e.g. `public.tasks.title`). */
  name: string;
  /** The table the object belongs to, for per-table comparison. */
  table?: string;
  detail: string;
}

export interface CatalogFingerprint {
  /** sha256 of the sorted lines. */
  hash: string;
  lines: string[];
  /** sha256 per table of the lines that belong to it. */
  tables: Record<string, string>;
}

const notExtensionMember = (classId: string, oid: string) =>
  `NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = '${classId}'::regclass AND d.objid = ${oid} AND d.deptype = 'e')`;

/** One query per object kind: each returns rows of (kind, name, tbl, detail). */
const QUERIES: string[] = [
  `SELECT 'schema' AS kind, nspname AS name, NULL AS tbl, '' AS detail FROM pg_namespace n WHERE ${userSchemaFilter('nspname')}`,
  `SELECT 'extension', extname, NULL, extversion FROM pg_extension WHERE extname <> 'plpgsql'`,
  `SELECT CASE c.relkind WHEN 'v' THEN 'view' WHEN 'm' THEN 'materialized view' WHEN 'S' THEN 'sequence' WHEN 'f' THEN 'foreign table' ELSE 'table' END,
          n.nspname || '.' || c.relname,
          CASE WHEN c.relkind IN ('r','p','f') THEN n.nspname || '.' || c.relname END,
          concat_ws(' ', CASE c.relkind WHEN 'p' THEN 'partitioned' END,
                    CASE WHEN c.relrowsecurity THEN 'rls' END,
                    CASE WHEN c.relkind IN ('v','m') THEN regexp_replace(pg_get_viewdef(c.oid, true), '\\s+', ' ', 'g') END,
                    CASE WHEN c.relkind = 'S' THEN (SELECT format('%s inc %s min %s max %s start %s%s', format_type(s.seqtypid, NULL), s.seqincrement, s.seqmin, s.seqmax, s.seqstart, CASE WHEN s.seqcycle THEN ' cycle' ELSE '' END) FROM pg_sequence s WHERE s.seqrelid = c.oid) END)
     FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
    WHERE c.relkind IN ('r','p','v','m','S','f') AND NOT c.relispartition IS TRUE AND ${userSchemaFilter('n.nspname')} AND ${notExtensionMember('pg_class', 'c.oid')}
   UNION ALL
   SELECT 'partition', n.nspname || '.' || c.relname, n.nspname || '.' || c.relname, pg_get_expr(c.relpartbound, c.oid)
     FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
    WHERE c.relispartition AND ${userSchemaFilter('n.nspname')}`,
  `SELECT 'column', n.nspname || '.' || c.relname || '.' || a.attname, n.nspname || '.' || c.relname,
          concat_ws(' ', format_type(a.atttypid, a.atttypmod),
                    CASE WHEN a.attnotnull THEN 'not null' END,
                    CASE WHEN a.attgenerated = 's' THEN 'generated as ' || pg_get_expr(d.adbin, d.adrelid)
                         WHEN d.adbin IS NOT NULL THEN 'default ' || pg_get_expr(d.adbin, d.adrelid) END,
                    CASE a.attidentity WHEN 'a' THEN 'identity always' WHEN 'd' THEN 'identity by default' END,
                    CASE WHEN a.attcollation <> 0 AND a.attcollation <> t.typcollation THEN 'collate ' || (SELECT collname FROM pg_collation WHERE oid = a.attcollation) END)
     FROM pg_attribute a
     JOIN pg_class c ON c.oid = a.attrelid JOIN pg_namespace n ON n.oid = c.relnamespace
     JOIN pg_type t ON t.oid = a.atttypid
     LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
    WHERE a.attnum > 0 AND NOT a.attisdropped AND c.relkind IN ('r','p','f') AND ${userSchemaFilter('n.nspname')} AND ${notExtensionMember('pg_class', 'c.oid')}`,
  `SELECT 'constraint', n.nspname || '.' || c.relname || '.' || con.conname, n.nspname || '.' || c.relname,
          pg_get_constraintdef(con.oid, true) || CASE WHEN con.convalidated THEN '' ELSE ' (not validated)' END
     FROM pg_constraint con JOIN pg_class c ON c.oid = con.conrelid JOIN pg_namespace n ON n.oid = c.relnamespace
    WHERE ${userSchemaFilter('n.nspname')}`,
  `SELECT 'index', n.nspname || '.' || ic.relname, n.nspname || '.' || c.relname,
          regexp_replace(pg_get_indexdef(i.indexrelid), '^CREATE (UNIQUE )?INDEX \\S+ ', 'CREATE \\1INDEX ') || CASE WHEN i.indisvalid THEN '' ELSE ' (invalid)' END
     FROM pg_index i JOIN pg_class ic ON ic.oid = i.indexrelid JOIN pg_class c ON c.oid = i.indrelid
     JOIN pg_namespace n ON n.oid = c.relnamespace
    WHERE ${userSchemaFilter('n.nspname')}`,
  `SELECT CASE p.prokind WHEN 'p' THEN 'procedure' ELSE 'function' END,
          n.nspname || '.' || p.proname || '(' || pg_get_function_identity_arguments(p.oid) || ')', NULL,
          md5(pg_get_functiondef(p.oid)) || ' returns ' || pg_get_function_result(p.oid)
     FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
    WHERE p.prokind IN ('f','p','w') AND ${userSchemaFilter('n.nspname')} AND ${notExtensionMember('pg_proc', 'p.oid')}`,
  `SELECT 'trigger', n.nspname || '.' || c.relname || '.' || t.tgname, n.nspname || '.' || c.relname,
          regexp_replace(pg_get_triggerdef(t.oid, true), '^CREATE (CONSTRAINT )?TRIGGER \\S+ ', '')
          || CASE t.tgenabled WHEN 'D' THEN ' (disabled)' ELSE '' END
     FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid JOIN pg_namespace n ON n.oid = c.relnamespace
    WHERE NOT t.tgisinternal AND ${userSchemaFilter('n.nspname')}`,
  `SELECT 'enum', n.nspname || '.' || t.typname, NULL,
          (SELECT string_agg(quote_literal(e.enumlabel), ', ' ORDER BY e.enumsortorder) FROM pg_enum e WHERE e.enumtypid = t.oid)
     FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace
    WHERE t.typtype = 'e' AND ${userSchemaFilter('n.nspname')} AND ${notExtensionMember('pg_type', 't.oid')}`,
  `SELECT 'domain', n.nspname || '.' || t.typname, NULL,
          concat_ws(' ', format_type(t.typbasetype, t.typtypmod), CASE WHEN t.typnotnull THEN 'not null' END,
                    CASE WHEN t.typdefault IS NOT NULL THEN 'default ' || t.typdefault END,
                    (SELECT string_agg(pg_get_constraintdef(c.oid, true), ' ' ORDER BY c.conname) FROM pg_constraint c WHERE c.contypid = t.oid))
     FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace
    WHERE t.typtype = 'd' AND ${userSchemaFilter('n.nspname')} AND ${notExtensionMember('pg_type', 't.oid')}`,
  `SELECT 'policy', schemaname || '.' || tablename || '.' || policyname, schemaname || '.' || tablename,
          concat_ws(' ', permissive, cmd, array_to_string(roles, ','), 'using ' || qual, 'check ' || with_check)
     FROM pg_policies WHERE ${userSchemaFilter('schemaname')}`,
];

/** Collect the fingerprint lines of the database's user schema. */
export async function collectFingerprintLines(db: Queryable): Promise<FingerprintLine[]> {
  const lines: FingerprintLine[] = [];
  for (const sql of QUERIES) {
    // The alias list names the columns: unnamed ones would collapse into one `?column?` key.
    const { rows } = await db.query(`SELECT * FROM (${sql}) AS q(kind, name, tbl, detail)`);
    for (const r of rows) {
      lines.push({
        kind: String(r.kind),
        name: String(r.name),
        table: r.tbl == null ? undefined : String(r.tbl),
        detail: r.detail == null ? '' : String(r.detail),
      });
    }
  }
  return lines;
}

/** Render a line as text (the unit of hashing and of diffs). */
export function renderLine(line: FingerprintLine): string {
  return `${line.kind} ${line.name}${line.detail ? `: ${line.detail}` : ''}`;
}

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

/** Take the catalog fingerprint of a database. */
export async function takeFingerprint(db: Queryable): Promise<CatalogFingerprint> {
  const raw = await collectFingerprintLines(db);
  const lines = raw.map(renderLine).sort();
  const perTable = new Map<string, string[]>();
  for (const line of raw) {
    if (!line.table) continue;
    const list = perTable.get(line.table) ?? [];
    list.push(renderLine(line));
    perTable.set(line.table, list);
  }
  const tables: Record<string, string> = {};
  for (const [table, list] of [...perTable.entries()].sort()) tables[table] = sha256(list.sort().join('\n'));
  return { hash: sha256(lines.join('\n')), lines, tables };
}
