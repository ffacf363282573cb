/**
 * Schema text of a database from its catalogs (no pg_dump binary here), and a line diff of two of
 * them: what `compare_schema` answers for the local engine and what `diff` prints.
 */
import pg from 'pg';

const SCHEMA_QUERIES: string[] = [
  // Tables and their columns, in a stable order.
  `select format('TABLE %I.%I (%s);', n.nspname, c.relname,
     string_agg(format('%I %s%s%s', a.attname, format_type(a.atttypid, a.atttypmod),
       case when a.attnotnull then ' NOT NULL' else '' end,
       coalesce(' DEFAULT ' || pg_get_expr(d.adbin, d.adrelid), '')), ', ' order by a.attnum))
   from pg_class c join pg_namespace n on n.oid = c.relnamespace
   join pg_attribute a on a.attrelid = c.oid and a.attnum > 0 and not a.attisdropped
   left join pg_attrdef d on d.adrelid = c.oid and d.adnum = a.attnum
   where c.relkind in ('r','p') and n.nspname not in ('pg_catalog','information_schema') and n.nspname not like 'pg_toast%'
   group by n.nspname, c.relname order by 1`,
  `select format('CONSTRAINT %I ON %I.%I %s;', con.conname, n.nspname, c.relname, pg_get_constraintdef(con.oid))
   from pg_constraint con join pg_class c on c.oid = con.conrelid join pg_namespace n on n.oid = c.relnamespace
   where n.nspname not in ('pg_catalog','information_schema') order by 1`,
  `select pg_get_indexdef(i.indexrelid) || ';' from pg_index i join pg_class c on c.oid = i.indexrelid
   join pg_namespace n on n.oid = c.relnamespace where n.nspname not in ('pg_catalog','information_schema') and n.nspname not like 'pg_toast%' order by 1`,
  `select format('VIEW %I.%I AS %s', n.nspname, c.relname, pg_get_viewdef(c.oid)) from pg_class c
   join pg_namespace n on n.oid = c.relnamespace where c.relkind in ('v','m') and n.nspname not in ('pg_catalog','information_schema') order by 1`,
  `select format('FUNCTION %I.%I(%s) %s', n.nspname, p.proname, pg_get_function_identity_arguments(p.oid), md5(p.prosrc)) from pg_proc p
   join pg_namespace n on n.oid = p.pronamespace where n.nspname not in ('pg_catalog','information_schema') order by 1`,
  `select format('TYPE %I.%I AS ENUM (%s);', n.nspname, t.typname, string_agg(quote_literal(e.enumlabel), ', ' order by e.enumsortorder))
   from pg_type t join pg_enum e on e.enumtypid = t.oid join pg_namespace n on n.oid = t.typnamespace group by n.nspname, t.typname order by 1`,
];

/** The schema of the database at `uri` as sorted, one-object-per-line text. */
export async function schemaText(uri: string): Promise<string> {
  const client = new pg.Client({ connectionString: uri });
  await client.connect();
  try {
    const lines: string[] = [];
    for (const sql of SCHEMA_QUERIES) {
      const result = await client.query<Record<string, string>>({ text: sql, rowMode: 'array' } as pg.QueryConfig);
      for (const row of result.rows as unknown as string[][]) if (row[0]) lines.push(String(row[0]).replace(/\s+/g, ' ').trim());
    }
    return lines.join('\n');
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** A unified-style diff of two texts ("--- a" / "+++ b", then -/+ lines); empty when equal. */
export function diffText(before: string, after: string, labels: [string, string]): string {
  const a = before ? before.split('\n') : [];
  const b = after ? after.split('\n') : [];
  // Longest common subsequence table; schema texts are small (hundreds of lines).
  const lcs: number[][] = Array.from({ length: a.length + 1 }, () => new Array<number>(b.length + 1).fill(0));
  for (let i = a.length - 1; i >= 0; i--) {
    for (let j = b.length - 1; j >= 0; j--) {
      lcs[i]![j] = a[i] === b[j] ? lcs[i + 1]![j + 1]! + 1 : Math.max(lcs[i + 1]![j]!, lcs[i]![j + 1]!);
    }
  }
  const out: string[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    if (i < a.length && j < b.length && a[i] === b[j]) {
      i++;
      j++;
    } else if (j < b.length && (i >= a.length || lcs[i]![j + 1]! >= lcs[i + 1]![j]!)) {
      out.push(`+${b[j++]}`);
    } else {
      out.push(`-${a[i++]}`);
    }
  }
  return out.length ? [`--- ${labels[0]}`, `+++ ${labels[1]}`, ...out].join('\n') + '\n' : '';
}
