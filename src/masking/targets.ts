/**
 * Checking masking rules against a database's catalog before a masked branch is made, with Neon's
 * limits: a column that is part of a foreign key (referencing or referenced) cannot be masked. Also
 * refused here, because the result could not be checked or written: primary-key and generated
 * columns, text functions on non-text columns, NULL into a NOT NULL column.
 */
import { MaskingRuleError } from '../errors.js';
import { type MaskingRule, ruleTarget } from './rules.js';

/** Runs one parameterized catalog query (a pg client, a DbClient, an admin connection...). */
export type CatalogQuery = <R>(sql: string, params: unknown[]) => Promise<R[]>;

interface ColumnFacts {
  schema: string;
  table: string;
  column: string;
  /** pg_type.typcategory: 'S' for string types. */
  category: string;
  type: string;
  notNull: boolean;
  generated: boolean;
  /** Names of the foreign keys the column is part of, on either side. */
  foreignKeys: string[] | null;
  inPrimaryKey: boolean;
}

const COLUMN_FACTS = `
SELECT n.nspname::text AS schema, c.relname::text AS "table", a.attname::text AS column, t.typcategory AS category,
       format_type(a.atttypid, a.atttypmod) AS type, a.attnotnull AS "notNull", a.attgenerated <> '' AS generated,
       (SELECT array_agg(f.conname::text ORDER BY f.conname) FROM pg_constraint f
         WHERE f.contype = 'f' AND ((f.conrelid = c.oid AND a.attnum = ANY (f.conkey))
                                 OR (f.confrelid = c.oid AND a.attnum = ANY (f.confkey)))) AS "foreignKeys",
       EXISTS (SELECT 1 FROM pg_constraint p WHERE p.contype = 'p' AND p.conrelid = c.oid AND a.attnum = ANY (p.conkey))
         AS "inPrimaryKey"
  FROM unnest($1::text[], $2::text[], $3::text[]) AS r(schema, tbl, col)
  JOIN pg_namespace n ON n.nspname = r.schema
  JOIN pg_class c ON c.relnamespace = n.oid AND c.relname = r.tbl AND c.relkind IN ('r', 'p')
  JOIN pg_attribute a ON a.attrelid = c.oid AND a.attname = r.col AND a.attnum > 0 AND NOT a.attisdropped
  JOIN pg_type t ON t.oid = a.atttypid`;

/** Why one rule cannot be applied to this column, or undefined. */
function problemOf(rule: MaskingRule, facts: ColumnFacts | undefined): string | undefined {
  const where = ruleTarget(rule);
  if (!facts) return `${where}: no such table or column`;
  if (facts.foreignKeys?.length)
    return `${where}: part of foreign key ${facts.foreignKeys.join(', ')}; Neon does not mask foreign-key columns`;
  if (facts.inPrimaryKey) return `${where}: part of the primary key, by which masked rows are checked`;
  if (facts.generated) return `${where}: a generated column (mask the columns it is computed from)`;
  const kind = rule.method.kind;
  if (kind === 'null' && facts.notNull) return `${where}: NOT NULL, so it cannot be masked with null`;
  if (kind !== 'null' && kind !== 'value' && facts.category !== 'S')
    return `${where}: ${kind} writes text, but the column is ${facts.type}`;
  return undefined;
}

/**
 * Every reason the rules cannot be applied to the database `query` reads (empty: all can).
 *
 * @example
 * ```ts
 * const problems = await maskingProblems((sql, params) => client.query(sql, params).then((r) => r.rows), rules);
 * ```
 */
export async function maskingProblems(query: CatalogQuery, rules: MaskingRule[]): Promise<string[]> {
  if (!rules.length) return [];
  const facts = await query<ColumnFacts>(COLUMN_FACTS, [
    rules.map((r) => r.schema),
    rules.map((r) => r.table),
    rules.map((r) => r.column),
  ]);
  const byTarget = new Map(facts.map((f) => [ruleTarget(f), f]));
  return rules.map((r) => problemOf(r, byTarget.get(ruleTarget(r)))).filter((p): p is string => p !== undefined);
}

/** Throw MaskingRuleError (exit 2) listing every rule that cannot be applied; `MASKING_FK_COLUMN` when one is a foreign-key column. */
export async function assertMaskable(query: CatalogQuery, rules: MaskingRule[]): Promise<void> {
  const problems = await maskingProblems(query, rules);
  if (!problems.length) return;
  const fk = problems.some((p) => p.includes('foreign key'));
  throw new MaskingRuleError(problems, fk ? { code: 'MASKING_FK_COLUMN' } : {});
}
