/**
 * Proof that a masked branch holds no original value in a masked column: a random sample of rows
 * of each masked table is read on the masked branch and, by primary key, on its parent. A masked
 * column whose value equals the parent's (where the mask itself would differ) is a leak. Values
 * never appear in messages: they are what is being hidden.
 */
import { PlatformError } from '../errors.js';
import { maskExpression, quoteIdent } from './expressions.js';
import { rulesByTable } from './apply.js';
import { type MaskingRule, ruleTarget } from './rules.js';
import type { CatalogQuery } from './targets.js';

/** Rows compared per table by default. */
export const DEFAULT_SAMPLE_ROWS = 200;

/** What the check compared. */
export interface MaskingCheck {
  /** Masked tables compared with the parent. */
  tables: number;
  /** Sampled rows found on both branches. */
  rows: number;
  /** Tables without a primary key: their rows cannot be paired, so they were not compared. */
  unverified: string[];
  /** `schema.table.column: ...` for every column that still holds original values. */
  leaks: string[];
}

const PRIMARY_KEY = `
SELECT a.attname AS name FROM pg_index i
  JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = ANY (i.indkey::int2[])
 WHERE i.indrelid = $1::regclass AND i.indisprimary
 ORDER BY array_position(i.indkey::int2[], a.attnum)`;

type Row = Record<string, unknown>;

/** Compare one table's sample; returns the rows paired and its leaks. */
async function checkTable(
  masked: CatalogQuery,
  parent: CatalogQuery,
  table: string,
  rules: MaskingRule[],
  sample: number,
): Promise<{ rows: number; leaks: string[] } | undefined> {
  const pk = (await masked<{ name: string }>(PRIMARY_KEY, [table])).map((r) => r.name);
  if (!pk.length) return undefined;
  const keyOf = `jsonb_build_object(${pk.map((c) => `'${c.replace(/'/g, "''")}', ${quoteIdent(c)}`).join(', ')})`;
  const cols = rules.map((r, i) => `${quoteIdent(r.column)}::text AS m${i}`).join(', ');
  const seen = await masked<Row>(`SELECT ${keyOf} AS nm_key, ${cols} FROM ${table} ORDER BY random() LIMIT $1`, [
    sample,
  ]);
  if (!seen.length) return { rows: 0, leaks: [] };
  const join = pk.map((c) => `t.${quoteIdent(c)} = p.${quoteIdent(c)}`).join(' AND ');
  const originals = rules
    .map((r, i) => `${quoteIdent(r.column)}::text AS o${i}, (${maskExpression(r.column, r.method)})::text AS e${i}`)
    .join(', ');
  const before = await parent<Row>(
    `SELECT nm_key, ${originals} FROM (
       SELECT k.nm_key, t.* FROM jsonb_array_elements($1::jsonb) AS k(nm_key)
       CROSS JOIN LATERAL jsonb_populate_record(NULL::${table}, k.nm_key) AS p
       JOIN ${table} AS t ON ${join}) AS s`,
    [JSON.stringify(seen.map((r) => r.nm_key))],
  );
  const byKey = new Map(before.map((r) => [JSON.stringify(r.nm_key), r]));
  const counts = rules.map(() => 0);
  let rows = 0;
  for (const row of seen) {
    const orig = byKey.get(JSON.stringify(row.nm_key));
    if (!orig) continue;
    rows++;
    rules.forEach((_, i) => {
      const o = orig[`o${i}`];
      // a leak: the original is still there, and the mask would have changed it
      if (o !== null && row[`m${i}`] === o && orig[`e${i}`] !== o) counts[i]!++;
    });
  }
  const leaks = rules.flatMap((r, i) =>
    counts[i] ? [`${ruleTarget(r)}: still holds its original value in ${counts[i]} of ${rows} sampled rows`] : [],
  );
  return { rows, leaks };
}

/**
 * Compare a sample of the masked branch's rows with its parent's, table by table.
 *
 * @example
 * ```ts
 * const check = await checkMasking(queryOn(maskedDb), queryOn(parentDb), rules);
 * if (check.leaks.length) throw new Error(check.leaks.join('; '));
 * ```
 */
export async function checkMasking(
  masked: CatalogQuery,
  parent: CatalogQuery,
  rules: MaskingRule[],
  sample = DEFAULT_SAMPLE_ROWS,
): Promise<MaskingCheck> {
  const out: MaskingCheck = { tables: 0, rows: 0, unverified: [], leaks: [] };
  for (const [table, list] of rulesByTable(rules)) {
    const result = await checkTable(masked, parent, table, list, sample);
    if (!result) {
      out.unverified.push(`${list[0]!.schema}.${list[0]!.table}`);
      continue;
    }
    out.tables++;
    out.rows += result.rows;
    out.leaks.push(...result.leaks);
  }
  return out;
}

/** Throw the `MASKING_LEAK` error (exit 4) when the check found original values on the masked branch. */
export function assertNoLeak(branch: string, check: MaskingCheck): void {
  if (!check.leaks.length) return;
  throw new PlatformError(`masked branch "${branch}" still holds original values: ${check.leaks.join('; ')}`, {
    hint: 'the branch was deleted; check the masking rules and create it again',
    code: 'MASKING_LEAK',
  });
}
