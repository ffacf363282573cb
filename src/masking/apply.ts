/**
 * Applying masking rules with plain SQL (the local engine's anonymization): one UPDATE per table
 * setting every masked column at once, in one transaction with user triggers off (masking is not an
 * application write: no audit rows, no `updated_at` bumps), then VACUUM FULL so no dead tuple
 * in the table's files still holds an original value.
 */
import { maskExpression, quoteIdent } from './expressions.js';
import type { MaskingRule } from './rules.js';

/** Runs one SQL text (no parameters). */
export type RunSql = (sql: string) => Promise<unknown>;

/** The rules of one database grouped by table, `"schema"."table"` → its rules. */
export function rulesByTable(rules: MaskingRule[]): Map<string, MaskingRule[]> {
  const out = new Map<string, MaskingRule[]>();
  for (const r of rules) {
    const key = `${quoteIdent(r.schema)}.${quoteIdent(r.table)}`;
    out.set(key, [...(out.get(key) ?? []), r]);
  }
  return out;
}

/** The UPDATE statements that mask every rule's column, one per table. */
export function maskingStatements(rules: MaskingRule[]): string[] {
  return [...rulesByTable(rules)].map(
    ([table, list]) =>
      `UPDATE ${table} SET ${list.map((r) => `${quoteIdent(r.column)} = ${maskExpression(r.column, r.method)}`).join(', ')}`,
  );
}

/**
 * Mask one database's columns (the caller checked the rules with `assertMaskable` and connected as a
 * superuser: `session_replication_role` needs it). Returns how many columns were masked.
 *
 * @example
 * ```ts
 * await applyMasking((sql) => admin.query(sql), rules.filter((r) => r.database === 'neondb'));
 * ```
 */
export async function applyMasking(run: RunSql, rules: MaskingRule[]): Promise<number> {
  if (!rules.length) return 0;
  await run('BEGIN');
  try {
    await run('SET LOCAL session_replication_role = replica');
    for (const statement of maskingStatements(rules)) await run(statement);
    await run('COMMIT');
  } catch (err) {
    await run('ROLLBACK').catch(() => undefined);
    throw err;
  }
  for (const table of rulesByTable(rules).keys()) await run(`VACUUM FULL ${table}`);
  return rules.length;
}
