/**
 * Masking rules (issue 13): which column of which table gets which masking method on a masked
 * (anonymized) branch. An environment declares them as `"masking": { "[schema.]table.column": method }`
 * (config/masking-schema.ts); here they become typed rules, and Neon's MaskingRule objects.
 */
import { maskExpression } from './expressions.js';

/** The named masking functions (a JSON string in the environment file). */
export const MASKING_FUNCTIONS = ['hash', 'md5', 'name', 'email'] as const;
export type MaskingFunction = (typeof MASKING_FUNCTIONS)[number];

/** What a masked column becomes. */
export type MaskingMethod = { kind: MaskingFunction } | { kind: 'null' } | { kind: 'value'; value: string };

/** One column's rule. */
export interface MaskingRule {
  database: string;
  schema: string;
  table: string;
  column: string;
  method: MaskingMethod;
}

/** Neon's MaskingRule object (public-v2 spec): a PostgreSQL Anonymizer function or a literal value. */
export interface NeonMaskingRule {
  database_name: string;
  schema_name: string;
  table_name: string;
  column_name: string;
  masking_function?: string;
  masking_value?: string;
}

/** The environment file's form: `"[schema.]table.column"` → a function name, `null`, or `{ "value": "..." }`. */
export type MaskingConfig = Record<string, MaskingFunction | null | { value: string }>;

/** `[schema.]table.column`: two or three dot-separated names, no blanks. */
export const MASKING_KEY_PATTERN = /^(?:[^.\s]+\.)?[^.\s]+\.[^.\s]+$/;

/** The database every rule targets (the tool connects to `neondb`, as everywhere else). */
export const MASKING_DATABASE = 'neondb';

/** `schema.table.column` of a rule, for messages. */
export function ruleTarget(rule: Pick<MaskingRule, 'schema' | 'table' | 'column'>): string {
  return `${rule.schema}.${rule.table}.${rule.column}`;
}

/** Split a config key into schema, table and column (schema defaults to `public`). */
export function parseMaskingKey(key: string): Pick<MaskingRule, 'schema' | 'table' | 'column'> {
  const parts = key.split('.');
  const [schema, table, column] = parts.length === 3 ? parts : ['public', ...parts];
  return { schema: schema!, table: table!, column: column! };
}

/** The rules an environment's `masking` declares (validated by its zod schema), in a stable order. */
export function maskingRules(config: MaskingConfig | undefined): MaskingRule[] {
  const rules = Object.entries(config ?? {}).map(([key, spec]): MaskingRule => {
    const method: MaskingMethod =
      spec === null
        ? { kind: 'null' }
        : typeof spec === 'string'
          ? { kind: spec }
          : { kind: 'value', value: spec.value };
    return { database: MASKING_DATABASE, ...parseMaskingKey(key), method };
  });
  return rules.sort((a, b) => ruleTarget(a).localeCompare(ruleTarget(b)));
}

/** A rule as Neon's API takes it: the same SQL expression locally and on Neon, or the literal value. */
export function toNeonRule(rule: MaskingRule): NeonMaskingRule {
  const where = {
    database_name: rule.database,
    schema_name: rule.schema,
    table_name: rule.table,
    column_name: rule.column,
  };
  return rule.method.kind === 'value'
    ? { ...where, masking_value: rule.method.value }
    : { ...where, masking_function: maskExpression(rule.column, rule.method) };
}

/**
 * A Neon rule back as a typed rule, or a reason it is not one of ours (an arbitrary Anonymizer
 * function such as `anon.fake_email()` that the local engine cannot run).
 */
export function fromNeonRule(neon: NeonMaskingRule): MaskingRule | string {
  const where = {
    database: neon.database_name,
    schema: neon.schema_name,
    table: neon.table_name,
    column: neon.column_name,
  };
  if (neon.masking_value !== undefined && neon.masking_function !== undefined)
    return `${ruleTarget(where)}: give masking_function or masking_value, not both`;
  if (neon.masking_value !== undefined) return { ...where, method: { kind: 'value', value: neon.masking_value } };
  const kinds: MaskingMethod[] = [...MASKING_FUNCTIONS.map((kind) => ({ kind })), { kind: 'null' }];
  const method = kinds.find((m) => maskExpression(neon.column_name, m) === neon.masking_function);
  if (method) return { ...where, method };
  return `${ruleTarget(where)}: masking_function ${JSON.stringify(neon.masking_function ?? '')} is not one the local engine runs (it runs neon-migrate's hash, md5, name, email and null expressions, and masking_value)`;
}

/** One line per rule, e.g. `public.users.email: email`. */
export function describeRule(rule: MaskingRule): string {
  const m = rule.method;
  return `${ruleTarget(rule)}: ${m.kind === 'value' ? `value ${JSON.stringify(m.value)}` : m.kind}`;
}
