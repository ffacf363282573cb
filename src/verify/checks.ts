/** Structural integrity checks: foreign keys without orphans, no invalid indexes. */
import { type Queryable, quoteIdent, quoteTable, userSchemaFilter } from './queryable.js';

export interface OrphanedRows {
  constraint: string;
  table: string;
  references: string;
  /** Number of rows whose key has no parent row. */
  orphans: number;
}

export interface InvalidIndex {
  index: string;
  table: string;
}

interface ForeignKey {
  name: string;
  table: string;
  references: string;
  columns: string[];
  refColumns: string[];
}

async function listForeignKeys(db: Queryable): Promise<ForeignKey[]> {
  const { rows } = await db.query(
    `SELECT con.conname AS name,
            n.nspname || '.' || c.relname AS tbl,
            rn.nspname || '.' || rc.relname AS ref,
            (SELECT array_agg(a.attname ORDER BY k.i) FROM unnest(con.conkey) WITH ORDINALITY k(attnum, i)
               JOIN pg_attribute a ON a.attrelid = con.conrelid AND a.attnum = k.attnum) AS cols,
            (SELECT array_agg(a.attname ORDER BY k.i) FROM unnest(con.confkey) WITH ORDINALITY k(attnum, i)
               JOIN pg_attribute a ON a.attrelid = con.confrelid AND a.attnum = k.attnum) AS refcols
       FROM pg_constraint con
       JOIN pg_class c ON c.oid = con.conrelid JOIN pg_namespace n ON n.oid = c.relnamespace
       JOIN pg_class rc ON rc.oid = con.confrelid JOIN pg_namespace rn ON rn.oid = rc.relnamespace
      WHERE con.contype = 'f' AND NOT c.relispartition AND ${userSchemaFilter('n.nspname')}
      ORDER BY 2, 1`,
  );
  return rows.map((r) => ({
    name: String(r.name),
    table: String(r.tbl),
    references: String(r.ref),
    columns: toStringArray(r.cols),
    refColumns: toStringArray(r.refcols),
  }));
}

/** pg returns name[] either parsed or as a `{a,b}` literal depending on the driver's type parsers. */
function toStringArray(value: unknown): string[] {
  if (Array.isArray(value)) return value.map(String);
  const text = String(value ?? '');
  return text
    .replace(/^\{|\}$/g, '')
    .split(',')
    .filter(Boolean)
    .map((s) => s.replace(/^"|"$/g, ''));
}

/** Count rows of every foreign key whose (fully non-null, MATCH SIMPLE) key has no parent row. */
export async function findOrphanedRows(db: Queryable): Promise<OrphanedRows[]> {
  const found: OrphanedRows[] = [];
  for (const fk of await listForeignKeys(db)) {
    const notNull = fk.columns.map((c) => `child.${quoteIdent(c)} IS NOT NULL`).join(' AND ');
    const join = fk.columns
      .map((c, i) => `parent.${quoteIdent(fk.refColumns[i] ?? c)} = child.${quoteIdent(c)}`)
      .join(' AND ');
    const { rows } = await db.query(
      `SELECT count(*)::text AS n FROM ${quoteTable(fk.table)} child
        WHERE ${notNull} AND NOT EXISTS (SELECT 1 FROM ${quoteTable(fk.references)} parent WHERE ${join})`,
    );
    const orphans = Number(rows[0]?.n ?? 0);
    if (orphans > 0) found.push({ constraint: fk.name, table: fk.table, references: fk.references, orphans });
  }
  return found;
}

/** Indexes left invalid (e.g. by a failed CREATE INDEX CONCURRENTLY) or not ready. */
export async function findInvalidIndexes(db: Queryable): Promise<InvalidIndex[]> {
  const { rows } = await db.query(
    `SELECT n.nspname || '.' || ic.relname AS idx, n.nspname || '.' || c.relname AS tbl
       FROM pg_index i JOIN pg_class ic ON ic.oid = i.indexrelid JOIN pg_class c ON c.oid = i.indrelid
       JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE (NOT i.indisvalid OR NOT i.indisready) AND ${userSchemaFilter('n.nspname')}
      ORDER BY 1`,
  );
  return rows.map((r) => ({ index: String(r.idx), table: String(r.tbl) }));
}
